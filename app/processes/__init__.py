"""The processes beside the web servers: the RQ worker (`flask jobs worker`) and the scheduler of
the periodic tasks (`flask jobs scheduler`, `flask jobs run-due`). The top of the layers: it
composes the domains' own tasks."""

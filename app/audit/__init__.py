"""The audit trail: who changed what, when, on which object."""

"""SQL statements a page may run per request, whatever the number of rows it shows (issue #13).

Shared by tests/core/test_query_budgets.py and bench/pages.py (which measures them at full demo scale).
"""

BUDGETS: dict[str, int] = {
    "class certificates (Mataram)": 15,
    "class certificates (largest)": 15,
    "programme attendance report": 15,
    "class registrations (largest)": 15,
    "programme registrations": 15,
    "health": 0,  # the process answers: no database
    # SELECT 1 (and on SQLite the BEGIN IMMEDIATE of every transaction); with FILE_STORE=database the
    # storage probe also writes, reads back and deletes one small file (5 statements; 10 on SQLite).
    "readiness": 12,
    "public catalogue": 15,
    "registration (POST)": 17,  # SQLite, waitlisted (its place and reason go in the mail); PostgreSQL needs fewer
    "Pendaftaran saya": 9,  # 8 at most: the account, its registrations, then what waiting or approved ones show
    "organiser home": 15,
    "admin home": 15,
    "facilitator home": 15,
    "coordinator home": 15,
    "class attendance report": 15,
    "class attendance report (xlsx)": 15,
    "class sign-in sheet (pdf)": 15,
    "class roster": 15,
    "programme attendance report (coordinator)": 15,
    "schedule (xlsx)": 15,
    "schedule (ics)": 15,
    "public class page": 15,
    "schedule": 15,
    "programme page": 15,
    "class detail": 15,
    "users": 15,
    "libraries": 15,
    "mail outbox": 15,
    "access log": 15,
    "programme dashboard": 18,  # figures, class lines (venues, marks, people, certificates), programme list
    "programme dashboard (coordinator)": 18,
    "programme dashboard (xlsx)": 15,
    "programme report (pdf)": 20,  # 18: the dashboard's, and four for the classes' cities, attendance and certificates
    "programme report (pdf, coordinator)": 20,
    "api programmes": 15,
    "api programmes (coordinator)": 15,
    "api batches (coordinator)": 15,
    "api programme dashboard": 18,  # the page's, plus the token and its last use
    "api programme dashboard (coordinator)": 18,
    "api classes": 15,
    "api classes (coordinator)": 15,
    "api class registrations": 15,
    "api class registrations (coordinator)": 15,
    "training hours (JP)": 15,
    "training hours (JP, coordinator)": 15,
    "coverage": 15,
    "coverage (not reached)": 15,
    "coverage (coordinator)": 15,
}

"""The settings every test app starts from."""


def base_config(database_url: str, instance_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        # The test client's own address, so links and the pages agree.
        "LEADS_BASE_URL": "http://localhost",
        "LEADS_MIN_FILL_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
        # Views written at once, so a test can count them; tests/intake/test_counters.py
        # checks the gathered writes.
        "LEADS_VIEW_COUNT_SECONDS": 0,
    }

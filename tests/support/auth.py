"""Logging in through the real login form: the users' password, a login that
must work, and a bare post for the tests about the login itself."""

from .visitor import page_inputs

# The password of the users made by the `users` fixture.
PASSWORD = "correct horse battery"


def login_token(client, base_url: str | None = None) -> str:
    """A CSRF token from the login page, as a browser gets one before logging in."""
    page = client.get("/login", base_url=base_url)
    return page_inputs(page.get_data(as_text=True))["csrf_token"]


def post_login(
    client,
    email: str,
    password: str,
    *,
    csrf_token: str | None = None,
    base_url: str | None = None,
    query_string: dict | None = None,
):
    """Post the login form as a browser would and return the answer, whatever it is.

    The CSRF token comes from the login page, opened first at `base_url`,
    unless `csrf_token` is given.
    """
    if csrf_token is None:
        csrf_token = login_token(client, base_url)
    return client.post(
        "/login",
        base_url=base_url,
        query_string=query_string,
        data={"csrf_token": csrf_token, "email": email, "password": password},
    )


def log_in(client, email: str, password: str = PASSWORD):
    """Log `client` in as `email`; fails the test unless the login succeeds (302)."""
    answer = post_login(client, email, password)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer


class Auth:
    """Logs a test client in as a role of the `users` fixture, through the real login form."""

    def __init__(self, client, users):
        self.client, self.users = client, users

    def login(self, role: str = "sales"):
        user_id, email = self.users[role]
        log_in(self.client, email)
        return user_id

    def csrf_token(self, path: str = "/sales/") -> str:
        """A CSRF token from a page the logged-in user can open."""
        return page_inputs(self.client.get(path).get_data(as_text=True))["csrf_token"]

    def poster(self, role: str, page: str):
        """Log in as `role`; return post(path, **fields), which posts with the
        CSRF token of `page` (as that page's forms do)."""
        self.login(role)
        token = self.csrf_token(page)

        def post(path: str, **fields):
            return self.client.post(path, data={"csrf_token": token, **fields})

        return post

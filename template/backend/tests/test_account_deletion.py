"""DELETE /api/me: a deleted account's data is gone from every user-owned table, and its
still-valid tokens open nothing any more (401 with a Bearer challenge on every route).

Rows are seeded in every resource of the registry (tests/resources/: the task and each one
`bafa add resource` added), and what is left is read from the database itself (every table
with a user_id column), never through the app's own list of tables.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient
from resources import RESOURCES
from sqlalchemy import MetaData, func, select, text
from sqlmodel import Session
from support import USER_A, USER_B, FakeClock, auth_headers, bearer, mint_token

from app.api.account_deletion import ALIVE_CACHE_SECONDS, DeletedUsers
from app.core.config import Settings
from app.factory import create_app

ROWS_EACH = 3


def _seed(app: FastAPI, *users: str) -> None:
    with Session(app.state.sync_engine) as session:
        for resource in RESOURCES:
            for user in users:
                for _ in range(ROWS_EACH):
                    session.add(resource.model(**resource.seed, user_id=user))
        session.commit()


def _owned_rows(app: FastAPI, user_id: str) -> dict[str, int]:
    """Rows of `user_id` in every table of the database that has a user_id column."""
    engine = app.state.sync_engine
    reflected = MetaData()
    reflected.reflect(engine)
    counts = {}
    with engine.connect() as connection:
        for name, table in reflected.tables.items():
            if name != "deleted_user" and "user_id" in table.columns:
                query = select(func.count()).select_from(table).where(table.c.user_id == user_id)
                counts[name] = connection.execute(query).scalar_one()
    return counts


def _assert_refused(response) -> None:  # noqa: ANN001
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_every_user_owned_table_is_covered(client: TestClient, app: FastAPI) -> None:
    """Each registered resource is a table with rows the test can seed and count."""
    _seed(app, USER_A)
    counts = _owned_rows(app, USER_A)
    for resource in RESOURCES:
        assert counts[resource.model.__tablename__] == ROWS_EACH, counts
    assert set(counts) == {r.model.__tablename__ for r in RESOURCES}, "unregistered table"


def test_deletes_every_row_of_the_user_and_no_other(client: TestClient, app: FastAPI) -> None:
    _seed(app, USER_A, USER_B)
    before_b = _owned_rows(app, USER_B)
    response = client.delete("/api/me", headers=auth_headers(USER_A))
    assert response.status_code == 204, response.text
    assert set(_owned_rows(app, USER_A).values()) == {0}
    assert _owned_rows(app, USER_B) == before_b
    assert all(count == ROWS_EACH for count in before_b.values())
    for resource in RESOURCES:  # B still sees all of B's items
        listed = client.get(resource.url(USER_B), headers=auth_headers(USER_B))
        assert listed.status_code == 200 and len(listed.json()) == ROWS_EACH


def test_a_deleted_users_valid_token_opens_nothing(client: TestClient, app: FastAPI) -> None:
    token = mint_token(USER_A)  # minted before the deletion, valid for its whole lifetime
    _seed(app, USER_A)
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    assert client.delete("/api/me", headers=bearer(token)).status_code == 204
    _assert_refused(client.get("/api/me", headers=bearer(token)))
    for resource in RESOURCES:
        url = resource.url(USER_A)
        _assert_refused(client.get(url, headers=bearer(token)))
        _assert_refused(client.get(resource.url(USER_A, 1), headers=bearer(token)))
        body = jsonable_encoder(resource.seed)
        _assert_refused(client.post(url, headers=bearer(token), json=body))
        _assert_refused(client.patch(resource.url(USER_A, 1), headers=bearer(token), json={}))
        _assert_refused(client.delete(resource.url(USER_A, 1), headers=bearer(token)))
    # A token minted later for the same user (e.g. a session that was still open) too.
    _assert_refused(client.get(RESOURCES[0].url(USER_A), headers=auth_headers(USER_A)))
    assert set(_owned_rows(app, USER_A).values()) == {0}, "a deleted user created a row"


def test_deleting_twice_is_fine(client: TestClient, app: FastAPI) -> None:
    _seed(app, USER_A)
    for _ in range(2):
        assert client.delete("/api/me", headers=auth_headers(USER_A)).status_code == 204
    with app.state.sync_engine.connect() as connection:
        tombstones = connection.execute(text("SELECT user_id FROM deleted_user")).all()
    assert [row[0] for row in tombstones] == [USER_A]
    assert set(_owned_rows(app, USER_A).values()) == {0}


def test_requires_a_valid_token(client: TestClient, app: FastAPI) -> None:
    _seed(app, USER_A)
    _assert_refused(client.delete("/api/me"))
    _assert_refused(client.delete("/api/me", headers=bearer(mint_token(USER_A, forged=True))))
    _assert_refused(client.delete("/api/me", headers=bearer(mint_token(USER_A, exp_delta=-60))))
    assert all(count == ROWS_EACH for count in _owned_rows(app, USER_A).values())
    # Nothing of A's was touched, and A was not marked deleted.
    assert client.get("/api/me", headers=auth_headers(USER_A)).status_code == 200


def test_another_process_sees_the_deletion(settings: Settings, app: FastAPI) -> None:
    """Two apps on one database (two workers): writes ask the database every time; a read may
    rely on a remembered "not deleted" for ALIVE_CACHE_SECONDS at most."""
    other = create_app(settings)
    clock = FakeClock(0)
    other.state.deleted_users = DeletedUsers(clock=clock)
    url = RESOURCES[0].url(USER_A)
    with TestClient(app) as first, TestClient(other) as second:
        assert second.get(url, headers=auth_headers(USER_A)).status_code == 200  # remembered
        assert first.delete("/api/me", headers=auth_headers(USER_A)).status_code == 204
        body = jsonable_encoder(RESOURCES[0].seed)
        _assert_refused(second.post(url, headers=auth_headers(USER_A), json=body))
        clock.advance(ALIVE_CACHE_SECONDS)
        _assert_refused(second.get(url, headers=auth_headers(USER_A)))
    other.state.sync_engine.dispose()
    assert set(_owned_rows(app, USER_A).values()) == {0}


def test_fails_closed_when_the_tombstones_cannot_be_read(client: TestClient, app: FastAPI) -> None:
    with app.state.sync_engine.begin() as connection:
        connection.execute(text("DROP TABLE deleted_user"))
    response = client.get(RESOURCES[0].url(USER_A), headers=auth_headers(USER_A))
    assert response.status_code == 503, response.text
    assert "deleted_user" not in response.text

"""GET /tickets and /time-entries of the real plugin: filters, pagination, errors."""

from __future__ import annotations

import pytest
import requests

from tests.wordpress.site import WordPressSite

pytestmark = pytest.mark.wordpress


def get(site: WordPressSite, path: str, **params: object) -> requests.Response:
    return requests.get(f"{site.api}{path}", params=params, auth=site.daemon_auth(), timeout=30)


@pytest.fixture(scope="module")
def seeded(wordpress: WordPressSite) -> tuple[int, list[int]]:
    """A client with one ticket and 23 entries."""
    client = wordpress.create_user("Liste Paginée")
    ticket = wordpress.seed_ticket(client.id, "Beaucoup de saisies", estimate=600)
    ids = wordpress.seed_entries(
        ticket, [("production", i + 1, f"2026-11-01T{i % 24:02d}:00:00") for i in range(23)]
    )
    return client.id, ids


def test_pages_cover_every_row_once_in_id_order(
    wordpress: WordPressSite, seeded: tuple[int, list[int]]
) -> None:
    client, ids = seeded
    seen: list[int] = []
    for page in (1, 2, 3):
        response = get(
            wordpress,
            "/time-entries",
            client=client,
            per_page=10,
            page=page,
            orderby="id",
            order="asc",
        )
        assert response.status_code == 200
        assert response.headers["X-WP-Total"] == "23"
        assert response.headers["X-WP-TotalPages"] == "3"
        seen += [row["id"] for row in response.json()]
    assert seen == ids
    past = get(wordpress, "/time-entries", client=client, per_page=10, page=4)
    assert past.status_code == 200
    assert past.json() == []
    assert past.headers["X-WP-Total"] == "23"


def test_descending_order(wordpress: WordPressSite, seeded: tuple[int, list[int]]) -> None:
    client, ids = seeded
    response = get(wordpress, "/time-entries", client=client, per_page=5, order="desc")
    assert [row["id"] for row in response.json()] == list(reversed(ids))[:5]


def test_default_page_size_is_ten(wordpress: WordPressSite, seeded: tuple[int, list[int]]) -> None:
    client, _ = seeded
    response = get(wordpress, "/time-entries", client=client)
    assert len(response.json()) == 10
    assert response.headers["X-WP-TotalPages"] == "3"


def test_modified_window_is_exclusive_after_and_inclusive_before(
    wordpress: WordPressSite, seeded: tuple[int, list[int]]
) -> None:
    client, _ = seeded
    rows = get(wordpress, "/time-entries", client=client, per_page=100).json()
    stamps = sorted({row["date_modified_gmt"] for row in rows})
    first = stamps[0]
    inside = get(wordpress, "/time-entries", client=client, per_page=100, modified_before=first)
    assert {r["id"] for r in inside.json()} == {
        r["id"] for r in rows if r["date_modified_gmt"] == first
    }
    after = get(wordpress, "/time-entries", client=client, per_page=100, modified_after=first)
    assert {r["id"] for r in after.json()} == {
        r["id"] for r in rows if r["date_modified_gmt"] > first
    }
    # The same instant with an explicit UTC offset means the same thing.
    with_z = get(
        wordpress, "/time-entries", client=client, per_page=100, modified_before=first + "Z"
    )
    assert with_z.json() == inside.json()
    paris = get(
        wordpress,
        "/time-entries",
        client=client,
        per_page=100,
        modified_before=_plus_one_hour(first),
    )
    assert paris.json() == inside.json()


def _plus_one_hour(naive_utc: str) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(naive_utc) + timedelta(hours=1)
    return moment.isoformat() + "+01:00"


def test_client_filter_isolates_rows(
    wordpress: WordPressSite, seeded: tuple[int, list[int]]
) -> None:
    client, _ = seeded
    other = wordpress.create_user("Autre Client")
    ticket = wordpress.seed_ticket(other.id, "Autre")
    [mine] = wordpress.seed_entries(ticket, [("training", 30, "2026-11-02T10:00:00")])
    assert [r["id"] for r in get(wordpress, "/time-entries", client=other.id).json()] == [mine]
    assert mine not in [
        r["id"] for r in get(wordpress, "/time-entries", client=client, per_page=100).json()
    ]
    [t] = get(wordpress, "/tickets", client=other.id).json()
    assert t == {
        "id": ticket,
        "client_id": other.id,
        "title": "Autre",
        "status": "open",
        "estimate_minutes": None,
        "decision": None,
        "decided_at_gmt": None,
        "date_created_gmt": t["date_created_gmt"],
        "date_modified_gmt": t["date_modified_gmt"],
        "deleted": False,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 101},
        {"per_page": 0},
        {"page": 0},
        {"modified_after": "hier"},
        {"modified_before": "2026-13-01T00:00:00"},
        {"order": "random"},
        {"orderby": "title"},
        {"client": "abc"},
    ],
)
@pytest.mark.parametrize("path", ["/tickets", "/time-entries"])
def test_invalid_parameters_are_400_rest_invalid_param(
    wordpress: WordPressSite, path: str, params: dict[str, object]
) -> None:
    response = get(wordpress, path, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["data"]["status"] == 400
    assert set(params) <= set(body["data"]["params"])


def test_unknown_route_is_404_rest_no_route(wordpress: WordPressSite) -> None:
    response = get(wordpress, "/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "rest_no_route"


def test_plain_permalink_form_works_too(
    wordpress: WordPressSite, seeded: tuple[int, list[int]]
) -> None:
    client, _ = seeded
    response = requests.get(
        f"{wordpress.url}/",
        params={"rest_route": "/assist/v1/time-entries", "client": client, "per_page": 1},
        auth=wordpress.daemon_auth(),
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["X-WP-Total"] == "23"

"""Staff log time through the real wp-admin forms (nonces, capability) and the daemon sees it."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
import requests

from sync.area_records import MalformedRecord, parse_entry
from tests.wordpress.site import WordPressSite
from tests.wordpress.staff import AdminFormError, StaffDesk, form_nonce

pytestmark = pytest.mark.wordpress


def entries_of(site: WordPressSite, client_id: int, **params: object) -> list[dict[str, object]]:
    response = requests.get(
        f"{site.api}/time-entries",
        params={"client": client_id, "per_page": 100, "orderby": "id", "order": "asc", **params},
        auth=site.daemon_auth(),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()
    return rows


def tickets_of(site: WordPressSite, client_id: int) -> list[dict[str, object]]:
    response = requests.get(
        f"{site.api}/tickets",
        params={"client": client_id, "per_page": 100},
        auth=site.daemon_auth(),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()
    return rows


def test_staff_create_a_ticket_and_log_time_seen_by_the_daemon(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Chloé Durand")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Ajouter une page Tarifs", estimate=90)
    # 15:00 in Paris on 3 Nov 2026 (winter time, UTC+1) is 14:00 UTC.
    first = desk.log_time(
        ticket, "production", 75, performed_at=datetime(2026, 11, 3, 15, 0), note="Mise en page"
    )
    desk.log_time(ticket, "training", 30, performed_at=datetime(2026, 11, 4, 10, 0))
    desk.log_time(ticket, "exchange", 20, performed_at=datetime(2026, 11, 4, 11, 0))

    [row] = tickets_of(wordpress, client.id)
    assert row["id"] == ticket
    assert row["title"] == "Ajouter une page Tarifs"
    assert row["estimate_minutes"] == 90
    assert row["status"] == "open"
    assert row["decision"] is None

    rows = entries_of(wordpress, client.id)
    assert [(r["kind"], r["minutes"]) for r in rows] == [
        ("production", 75),
        ("training", 30),
        ("exchange", 20),
    ]
    assert rows[0]["id"] == first
    assert rows[0]["performed_at_gmt"] == "2026-11-03T14:00:00"
    assert rows[0]["note"] == "Mise en page"
    assert rows[0]["author_id"] == wordpress.staff.id
    assert rows[0]["ticket_id"] == ticket
    assert all(r["client_id"] == client.id and r["deleted"] is False for r in rows)


def test_summer_time_is_converted_to_utc(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Été Heure")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Heure d'été")
    desk.log_time(ticket, "correction", 10, performed_at=datetime(2026, 7, 1, 9, 30))
    [row] = entries_of(wordpress, client.id)
    assert row["performed_at_gmt"] == "2026-07-01T07:30:00"


def test_an_edit_bumps_date_modified_and_is_seen_after_the_cursor(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Denis Moreau")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Corriger le formulaire")
    entry = desk.log_time(ticket, "production", 40, performed_at=datetime(2026, 11, 5, 9, 0))
    [before] = entries_of(wordpress, client.id)
    cursor = before["date_modified_gmt"]
    assert entries_of(wordpress, client.id, modified_after=cursor) == []

    desk.edit_entry(
        entry,
        ticket_id=ticket,
        kind="correction",
        minutes=45,
        performed_at=datetime(2026, 11, 5, 9, 0),
        note="Revu",
    )
    [after] = entries_of(wordpress, client.id, modified_after=cursor)
    assert after["id"] == entry
    assert (after["kind"], after["minutes"], after["note"]) == ("correction", 45, "Revu")
    assert str(after["date_modified_gmt"]) > str(cursor)
    assert after["date_created_gmt"] == before["date_created_gmt"]

    desk.edit_ticket(ticket, client_id=client.id, title="Corriger le formulaire", status="done")
    [t] = tickets_of(wordpress, client.id)
    assert t["status"] == "done"


def test_a_deletion_leaves_a_tombstone(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Emma Leroy")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Sauvegardes")
    keep = desk.log_time(ticket, "production", 30, performed_at=datetime(2026, 11, 6, 9, 0))
    gone = desk.log_time(ticket, "production", 15, performed_at=datetime(2026, 11, 6, 10, 0))
    cursor = max(str(r["date_modified_gmt"]) for r in entries_of(wordpress, client.id))

    desk.delete_entry(gone)
    [tomb] = entries_of(wordpress, client.id, modified_after=cursor)
    assert tomb["id"] == gone
    assert tomb["deleted"] is True
    assert tomb["minutes"] == 15  # last known fields stay readable
    assert {r["id"]: r["deleted"] for r in entries_of(wordpress, client.id)} == {
        keep: False,
        gone: True,
    }
    edit = desk._screen(f"page=assist-time&action=edit&entry={gone}")
    assert "Saisie introuvable" in edit
    assert 'name="_wpnonce"' not in edit


def test_deleting_a_ticket_tombstones_its_entries(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Farid Benali")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Migration")
    desk.log_time(ticket, "production", 60, performed_at=datetime(2026, 11, 7, 9, 0))
    desk.delete_ticket(ticket)
    [t] = tickets_of(wordpress, client.id)
    assert t["deleted"] is True
    assert [e["deleted"] for e in entries_of(wordpress, client.id)] == [True]


def test_moving_a_ticket_to_another_client_moves_its_entries(wordpress: WordPressSite) -> None:
    first = wordpress.create_user("Gaëlle Premier")
    second = wordpress.create_user("Hugo Second")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(first.id, "Mauvais client")
    desk.log_time(ticket, "production", 25, performed_at=datetime(2026, 11, 8, 9, 0))
    desk.edit_ticket(ticket, client_id=second.id, title="Mauvais client")
    assert entries_of(wordpress, first.id) == []
    [moved] = entries_of(wordpress, second.id)
    assert moved["minutes"] == 25


@pytest.mark.parametrize(
    ("kind", "minutes", "code"),
    [("production", 0, "assist_invalid_minutes"), ("holiday", 10, "assist_invalid_kind")],
)
def test_invalid_input_is_refused_with_a_message(
    wordpress: WordPressSite, kind: str, minutes: int, code: str
) -> None:
    client = wordpress.create_user("Inès Valide")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Saisie invalide")
    with pytest.raises(AdminFormError) as refused:
        desk.log_time(ticket, kind, minutes, performed_at=datetime(2026, 11, 9, 9, 0))
    assert refused.value.code == code
    assert entries_of(wordpress, client.id) == []
    page = desk.session.get(
        f"{wordpress.url}/wp-admin/admin.php",
        params={"page": "assist-time", "assist_error": code},
        timeout=30,
    ).text
    assert "notice-error" in page


def test_a_user_without_the_capability_cannot_use_the_screens(wordpress: WordPressSite) -> None:
    client = wordpress.clients[0]
    session = wordpress.login(client)
    screen = session.get(f"{wordpress.url}/wp-admin/admin.php?page=assist-time", timeout=30)
    assert screen.status_code == 403
    # Even with a valid-looking form (nonce of its own session), the handler refuses.
    desk = StaffDesk(wordpress, session)
    ticket = wordpress.seed_ticket(client.id, "Tentative")
    with pytest.raises(AdminFormError) as refused:
        desk._post(
            {
                "action": "assist_save_entry",
                "entry_id": 0,
                "_wpnonce": "0123456789",
                "ticket_id": ticket,
                "kind": "production",
                "minutes": 600,
                "performed_at": "2026-11-10T09:00",
            }
        )
    assert refused.value.status == 403
    assert entries_of(wordpress, client.id) == []


def test_a_staff_post_without_a_valid_nonce_is_refused(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Jules Nonce")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Nonce")
    page = desk._screen(f"page=assist-time&action=new&ticket={ticket}")
    assert form_nonce(page)
    with pytest.raises(AdminFormError) as refused:
        desk._post(
            {
                "action": "assist_save_entry",
                "entry_id": 0,
                "_wpnonce": "deadbeef00",
                "ticket_id": ticket,
                "kind": "production",
                "minutes": 30,
                "performed_at": "2026-11-10T09:00",
            }
        )
    assert refused.value.status == 403
    assert entries_of(wordpress, client.id) == []


def test_the_staff_screens_escape_what_they_show(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Karim Échappe")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Titre <b>gras</b>")
    desk.log_time(ticket, "production", 5, performed_at=datetime(2026, 11, 10, 9, 0))
    listing = desk._screen("page=assist-time")
    assert "<b>gras</b>" not in listing
    tickets = desk._screen("page=assist-tickets")
    assert "Titre <b>gras</b>" not in tickets


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("2026-13-02T10:00", "assist_invalid_date"),  # was saved as 1970-01-01
        ("2026-02-30T10:00", "assist_invalid_date"),
        ("2026-11-03T24:00", "assist_invalid_date"),
        ("2026-11-03", "assist_invalid_date"),
        ("2026-11-03T10:00+05:00", "assist_invalid_date"),  # the form speaks Paris time only
        ("1999-12-31T10:00", "assist_date_out_of_range"),
        ("2000-01-01T00:30", "assist_date_out_of_range"),  # 1999-12-31T23:30 UTC
        ("2099-01-01T10:00", "assist_date_out_of_range"),
    ],
)
def test_an_impossible_or_far_date_is_refused_with_a_clear_message(
    wordpress: WordPressSite, typed: str, code: str
) -> None:
    client = wordpress.create_user("Date Folle")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "Dates")
    with pytest.raises(AdminFormError) as refused:
        desk.log_time(ticket, "production", 30, performed_at=typed)
    assert refused.value.code == code
    assert entries_of(wordpress, client.id) == []
    form = desk._screen(f"page=assist-time&action=new&ticket={ticket}&assist_error={code}")
    notice = re.search(r'<div class="notice notice-error"><p>([^<]+)</p>', form)
    assert notice is not None
    if code == "assist_invalid_date":
        assert html.unescape(notice.group(1)) == (
            "Date de réalisation impossible (jour, mois, heure ou minute hors limites)."
        )
    else:
        next_year = datetime.now().year + 1
        assert re.fullmatch(
            rf"La date de réalisation doit être comprise entre le 01/01/2000 et le "
            rf"\d\d/\d\d/({next_year - 1}|{next_year})\.",
            html.unescape(notice.group(1)),
        )


def test_the_earliest_date_accepted_is_one_the_daemon_takes(wordpress: WordPressSite) -> None:
    client = wordpress.create_user("Date Limite")
    desk = wordpress.staff_desk()
    ticket = desk.create_ticket(client.id, "An 2000")
    desk.log_time(ticket, "production", 30, performed_at="2000-01-01T01:00")  # 00:00 UTC
    [row] = entries_of(wordpress, client.id)
    assert row["performed_at_gmt"] == "2000-01-01T00:00:00"
    assert parse_entry(row).entry is not None  # not quarantined by the daemon
    too_early = dict(row, performed_at_gmt="1999-12-31T23:59:59")
    with pytest.raises(MalformedRecord):
        parse_entry(too_early)


@pytest.mark.parametrize(
    "value", ["2026-13-02T10:00:00", "2026-02-30T00:00:00", "2026-11-03T25:00:00", "hier"]
)
def test_the_rest_lists_refuse_an_impossible_date(wordpress: WordPressSite, value: str) -> None:
    response = requests.get(
        f"{wordpress.api}/time-entries",
        params={"modified_after": value},
        auth=wordpress.daemon_auth(),
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "rest_invalid_param"
    assert response.json()["data"]["params"]["modified_after"] == (
        "modified_after n'est pas une date ISO-8601 réelle."
    )


def test_staff_with_only_the_support_role_reach_every_plugin_screen(
    wordpress: WordPressSite,
) -> None:
    client = wordpress.create_user("Tour Complet")
    desk = wordpress.staff_desk()
    roles = wordpress.php_json(
        "echo wp_json_encode(get_userdata($args)->roles);", wordpress.staff.id
    )
    assert roles == ["assist_staff"]
    ticket = desk.create_ticket(client.id, "Tour des écrans", estimate=60)
    entry = desk.log_time(ticket, "production", 15, performed_at=datetime(2026, 11, 9, 9, 0))
    menu = desk.session.get(f"{wordpress.url}/wp-admin/", timeout=30, allow_redirects=False)
    assert menu.status_code == 200
    linked = set(
        re.findall(r'href=[\'"](?:[^\'"]*/wp-admin/)?(admin\.php\?page=assist-[^\'"]+)', menu.text)
    )
    assert {"admin.php?page=assist-tickets", "admin.php?page=assist-time"} <= linked
    screens = sorted(
        linked
        | {
            "admin.php?page=assist-tickets&action=new",
            f"admin.php?page=assist-tickets&action=edit&ticket={ticket}",
            "admin.php?page=assist-time&action=new",
            f"admin.php?page=assist-time&action=new&ticket={ticket}",
            f"admin.php?page=assist-time&ticket={ticket}",
            f"admin.php?page=assist-time&action=edit&entry={entry}",
        }
    )
    for screen in screens:
        response = desk.session.get(
            f"{wordpress.url}/wp-admin/{html.unescape(screen)}", timeout=30, allow_redirects=False
        )
        assert response.status_code == 200, (screen, response.status_code)
        assert 'class="wrap assist-admin"' in response.text, screen
        assert (
            "Tour des écrans" in response.text
            or "Nouveau ticket" in response.text
            or ("Saisir du temps" in response.text)
        ), screen

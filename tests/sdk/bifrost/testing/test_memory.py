"""InMemoryPlatform, driven only through the public SDK modules inside `bound(...)`."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from bifrost import (
    ai,
    config,
    executions,
    files,
    forms,
    integrations,
    knowledge,
    organizations,
    roles,
    tables,
    users,
    workflow,
    workflows,
)
from bifrost.errors import AccessDenied, NoExecutionContextError, NotAvailableError, NotFoundError, ValidationError
from bifrost.testing import FunctionModel, InMemoryPlatform, TestModel, bound, override_model, test_context
from bifrost.types import (
    AIResponse,
    DocumentData,
    DocumentList,
    FormPublic,
    IntegrationData,
    OAuthCredentials,
    Organization,
    TableInfo,
)

ACME = Organization(id="org-acme", name="Acme")
GLOBEX = Organization(id="org-globex", name="Globex")


def member(org: Organization = ACME, **fields: Any) -> Any:
    return test_context(organization=org, **fields)


def admin(org: Organization | None = None, **fields: Any) -> Any:
    return test_context(organization=org, is_platform_admin=True, **fields)


# config


async def test_config_get_set_list_delete_in_the_callers_scope() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member()):
        await config.set("api_url", "https://acme.example")
        await config.set("api_key", "sk-1", is_secret=True)
        await config.set("limits", {"max": 3, "tags": ("a", "b")})
        assert await config.get("api_url") == "https://acme.example"
        assert await config.get("api_key") == "sk-1"
        assert await config.get("limits") == {"max": 3, "tags": ["a", "b"]}
        assert await config.get("missing") is None
        assert await config.get("missing", default=7) == 7
        assert await config.list() == {
            "api_key": "[SECRET]",
            "api_url": "https://acme.example",
            "limits": {"max": 3, "tags": ["a", "b"]},
        }
        assert await config.delete("api_url") is True
        assert await config.delete("api_url") is False
    assert platform.config_values("org-acme") == {"api_key": "sk-1", "limits": {"max": 3, "tags": ["a", "b"]}}
    entry = platform.config_entries("org-acme")["api_key"]
    assert (entry.is_secret, entry.type, entry.value, entry.scope) == (True, "secret", "sk-1", "org-acme")
    assert platform.config_values() == {}


async def test_config_reads_fall_back_to_global_and_the_organization_overrides() -> None:
    platform = InMemoryPlatform(config={"api_url": "https://global", "retries": 3})
    platform.set_config("token", "t-global", is_secret=True)
    with bound(platform, member()):
        await config.set("api_url", "https://acme")
        assert await config.get("api_url") == "https://acme"
        assert await config.get("retries") == 3
        assert await config.list() == {"api_url": "https://acme", "retries": 3, "token": "[SECRET]"}
        assert await config.get("token") == "t-global"
        assert await config.delete("retries") is False  # GLOBAL's, not the caller's
    with bound(platform, member(GLOBEX)):
        assert await config.get("api_url") == "https://global"
    with bound(platform):
        assert await config.list() == {"api_url": "https://global", "retries": 3, "token": "[SECRET]"}


@pytest.mark.parametrize(("key", "value"), [(" padded", 1), ("k", object()), ("k", float("nan")), ("k", None)])
async def test_config_refuses_what_the_host_refuses(key: str, value: Any) -> None:
    with bound(InMemoryPlatform()), pytest.raises(ValidationError):
        await config.set(key, value)


# tables


async def test_tables_create_list_delete() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member()):
        info = await tables.create("tickets", description="Support", table_schema={"indexes": [["status"]]})
        assert isinstance(info, TableInfo)
        assert (info.name, info.description, info.organization_id, info.application_id) == (
            "tickets",
            "Support",
            "org-acme",
            None,
        )
        with pytest.raises(ValidationError, match="already exists"):
            await tables.create("tickets")
        await tables.insert("assets", {"tag": "A-1"})  # insert creates the table
        assert [t.name for t in await tables.list()] == ["assets", "tickets"]
        assert await tables.delete("assets") is True
        assert await tables.delete("assets") is False
        assert [t.name for t in await tables.list()] == ["tickets"]
    assert platform.table_names("org-acme") == ["tickets"]


async def test_documents_insert_get_update_upsert_delete() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member()):
        auto = await tables.insert("tickets", {"title": "Printer", "tags": ("hw",)})
        assert isinstance(auto, DocumentData)
        assert len(auto.id) == 36
        assert auto.data == {"title": "Printer", "tags": ["hw"]}
        given = await tables.insert("tickets", {"title": "VPN", "status": "open"}, id="T-2")
        assert given.id == "T-2"
        assert given.table_id == auto.table_id
        with pytest.raises(ValidationError, match="use upsert"):
            await tables.insert("tickets", {}, id="T-2")

        updated = await tables.update("tickets", "T-2", {"status": "closed", "owner": None})
        assert updated is not None
        assert updated.data == {"title": "VPN", "status": "closed", "owner": None}
        assert updated.created_at == given.created_at
        assert updated.updated_at is not None and given.updated_at is not None
        assert updated.updated_at > given.updated_at
        assert await tables.update("tickets", "nope", {"x": 1}) is None

        replaced = await tables.upsert("tickets", "T-2", {"title": "VPN again"})
        assert replaced.data == {"title": "VPN again"}
        assert replaced.created_at == given.created_at
        created = await tables.upsert("tickets", "T-3", {"title": "New"})
        assert created.created_at == created.updated_at

        fetched = await tables.get("tickets", "T-2")
        assert fetched is not None
        fetched.data["title"] = "changed by the caller"  # a copy: the store is not touched
        assert await tables.get("tickets", "T-2") == replaced
        assert await tables.get("tickets", "nope") is None

        assert await tables.delete_document("tickets", "T-3") is True
        assert await tables.delete_document("tickets", "T-3") is False
        assert await tables.count("tickets") == 2
        with pytest.raises(ValidationError, match="JSON-serializable"):
            await tables.insert("tickets", {"when": object()})
        with pytest.raises(ValidationError, match="keys must be strings"):
            await tables.insert("tickets", dict.fromkeys([1], "one"))
    assert [d.data["title"] for d in platform.documents("tickets", scope="org-acme")] == ["Printer", "VPN again"]


async def test_a_table_that_was_never_created_reads_as_empty() -> None:
    with bound(InMemoryPlatform()):
        page = await tables.query("ghost", where={"a": 1})
        assert page == DocumentList(documents=[], total=0, limit=100, offset=0)
        assert await tables.count("ghost") == 0
        assert await tables.get("ghost", "x") is None
        assert await tables.update("ghost", "x", {"a": 1}) is None
        assert await tables.delete_document("ghost", "x") is False
        with pytest.raises(ValidationError, match="unknown operator"):
            await tables.query("ghost", where={"a": {"between": [1, 2]}})


DOCS: dict[str, dict[str, Any]] = {
    "a": {
        "n": 5,
        "s": "apple",
        "tags": ["x", "y"],
        "when": "2024-01-10T10:00:00Z",
        "flag": True,
        "addr": {"city": "Oslo"},
        "opt": None,
    },
    "b": {"n": 100, "s": "Banana", "tags": ["y"], "when": "2024-03-01", "flag": False, "addr": {"city": "Bergen"}},
    "c": {"n": 99.5, "s": "cherry pie", "tags": [], "when": "2023-12-31T23:00:00-02:00", "addr": {}},
    "d": {"n": "100", "s": "100%_off", "flag": 1},
}


@pytest.fixture
def inventory() -> InMemoryPlatform:
    platform = InMemoryPlatform()
    for doc_id, data in DOCS.items():
        platform.put_document("items", data, id=doc_id)
    return platform


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"n": 100}, "b"),  # strict types: never the string "100"
        ({"n": {"eq": 100.0}}, "b"),
        ({"n": {"ne": 100}}, "acd"),
        ({"n": {"gt": 99}}, "bc"),
        ({"n": {"gte": 5, "lt": 100}}, "ac"),
        ({"n": {"lte": 5}}, "a"),
        ({"when": {"gt": "2024-01-01"}}, "abc"),  # c is 2024-01-01T01:00Z
        ({"when": {"lt": "2024-01-01T01:30:00Z"}}, "c"),
        ({"when": {"gte": "2024-03-01T00:00:00+00:00"}}, "b"),
        ({"s": {"gt": "b"}}, "c"),  # code point order: "Banana" < "b"
        ({"s": {"like": "%an%"}}, "b"),
        ({"s": {"like": "banana"}}, ""),
        ({"s": {"ilike": "BANANA"}}, "b"),
        ({"s": {"like": "appl_"}}, "a"),
        ({"s": {"starts_with": "100%"}}, "d"),
        ({"s": {"starts_with": "100_"}}, ""),  # literal, unlike like
        ({"s": {"ends_with": "pie"}}, "c"),
        ({"s": {"contains": "err"}}, "c"),
        ({"tags": {"contains": "y"}}, "ab"),
        ({"tags": ["y"]}, "b"),
        ({"s": {"in": ["apple", "Banana"]}}, "ab"),
        ({"n": {"in": [100, "nope"]}}, "b"),
        ({"n": {"in": []}}, ""),
        ({"flag": {"in": [False, None]}}, "bc"),
        ({"opt": {"is_null": True}}, "abcd"),
        ({"flag": {"is_null": False}}, "abd"),
        ({"opt": None}, "abcd"),
        ({"flag": True}, "a"),  # not the number 1
        ({"addr.city": "Oslo"}, "a"),
        ({"addr.city": {"ne": "Oslo"}}, "bcd"),
        ({"addr": {"has_key": "city"}}, "ab"),
        ({"n": {"gt": 1}, "s": {"ilike": "%A%"}}, "ab"),
    ],
)
async def test_query_where_operators(inventory: InMemoryPlatform, where: dict[str, Any], expected: str) -> None:
    with bound(inventory):
        page = await tables.query("items", where=where)
        assert "".join(sorted(doc.id for doc in page.documents)) == expected
        assert page.total == len(expected)
        assert await tables.count("items", where=where) == len(expected)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"n": {"between": 1}}, "unknown operator"),
        ({"n": {}}, "empty operator dict"),
        ({"addr": {"city": "Oslo"}}, "dotted paths"),
        ({"addr": {"eq": {"city": "Oslo"}}}, "whole object"),
        ({"n": {"gt": None}}, "expects a number or a string"),
        ({"s": {"like": 5}}, "expects a string"),
        ({"n": {"in": "abc"}}, "list of values"),
        ({"flag": {"is_null": "yes"}}, "True or False"),
        ({"a..b": 1}, "empty segment"),
        ({"when": {"gt": "2024-13-45"}}, "not a valid one"),
        ({"n": 2**70}, "64-bit"),
    ],
)
async def test_query_refuses_a_bad_where(inventory: InMemoryPlatform, where: dict[str, Any], message: str) -> None:
    with bound(inventory), pytest.raises(ValidationError, match=message):
        await tables.query("items", where=where)


async def test_query_order_limit_offset(inventory: InMemoryPlatform) -> None:
    async def ids(**arguments: Any) -> str:
        return "".join(doc.id for doc in (await tables.query("items", **arguments)).documents)

    with bound(inventory):
        assert await ids() == "abcd"  # created_at
        assert await ids(order_dir="desc") == "dcba"
        assert await ids(order_by="n") == "acbd"  # numbers by value, then strings
        assert await ids(order_by="when") == "cabd"  # ISO strings as text; missing last
        assert await ids(order_by="when", order_dir="desc") == "bacd"  # missing last both ways
        assert await ids(order_by="id", order_dir="desc") == "dcba"
        page = await tables.query("items", order_by="n", limit=2, offset=1)
        assert [d.id for d in page.documents] == ["c", "b"]
        assert (page.total, page.limit, page.offset) == (4, 2, 1)
        with pytest.raises(ValidationError, match="limit"):
            await tables.query("items", limit=0)


async def test_tables_are_per_scope_and_app() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member(ACME)):
        await tables.insert("tickets", {"org": "acme"}, id="T-1")
        await tables.insert("tickets", {"app": "crm"}, id="T-1", app="crm")
        crm = await tables.list(app="crm")
        assert [(t.name, t.application_id) for t in crm] == [("tickets", "crm")]
    with bound(platform, member(GLOBEX)):
        assert await tables.get("tickets", "T-1") is None
        assert await tables.count("tickets") == 0
        await tables.insert("tickets", {"org": "globex"}, id="T-1")
        with pytest.raises(AccessDenied, match="only platform admins"):
            await tables.query("tickets", scope="org-acme")
    with bound(platform):  # GLOBAL is a scope of its own: no fallback either way
        assert await tables.list() == []
    with bound(platform, admin()):
        acme = await tables.get("tickets", "T-1", scope="org-acme")
        assert acme is not None and acme.data == {"org": "acme"}
        await tables.insert("audit", {"by": "admin"}, scope="org-globex")
    assert [d.data for d in platform.documents("tickets", scope="org-globex")] == [{"org": "globex"}]
    assert platform.documents("tickets", scope="org-acme", app="crm")[0].data == {"app": "crm"}
    assert platform.table_names("org-globex") == ["audit", "tickets"]


# files


async def test_files_write_read_list_exists_delete() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member()):
        await files.write("reports/2024/jan.csv", "id\n1\n")
        await files.write_bytes("reports/logo.png", b"\x89PNG")
        await files.write("readme.txt", "hi", location="temp")
        assert await files.read("reports/2024/jan.csv") == "id\n1\n"
        assert await files.read_bytes("reports//./logo.png") == b"\x89PNG"
        assert await files.list() == ["reports/"]
        assert await files.list("reports") == ["2024/", "logo.png"]
        assert await files.list(location="temp") == ["readme.txt"]
        assert await files.exists("reports/2024") is True
        assert await files.exists("reports/feb.csv") is False
        with pytest.raises(FileNotFoundError, match=r"workspace:/reports/feb\.csv"):
            await files.read("reports/feb.csv")
        with pytest.raises(IsADirectoryError):
            await files.read("reports")
        with pytest.raises(IsADirectoryError):
            await files.delete("reports/2024")
        with pytest.raises(NotADirectoryError):
            await files.write("readme.txt/inner", "x", location="temp")
        with pytest.raises(NotADirectoryError):
            await files.list("reports/logo.png")
        with pytest.raises(NotADirectoryError, match="a folder in that path is a file"):
            await files.read("readme.txt/inner", location="temp")
        with pytest.raises(FileNotFoundError):
            await files.list("nowhere")
        with pytest.raises(ValidationError, match="UTF-8"):
            await files.read("reports/logo.png")
        await files.delete("reports/2024/jan.csv")
        with pytest.raises(FileNotFoundError):
            await files.delete("reports/2024/jan.csv")
        assert await files.list("reports") == ["2024/", "logo.png"]  # an emptied folder stays, as on disk
        assert await files.list("reports/2024") == []
    assert platform.files(scope="org-acme") == {"reports/logo.png": b"\x89PNG"}
    assert platform.files("temp", scope="org-acme") == {"readme.txt": b"hi"}


@pytest.mark.parametrize("path", ["../secret", "/etc/passwd", "C:x", "a\\b", "", "a/../../b"])
async def test_files_refuse_paths_that_leave_the_root(path: str) -> None:
    with bound(InMemoryPlatform()), pytest.raises(ValidationError):
        await files.write(path, "x")


async def test_files_are_per_scope_uploads_read_only_and_local_for_admins() -> None:
    platform = InMemoryPlatform()
    platform.put_file("forms/f1/cv.txt", "Ada's CV", location="uploads", scope="org-acme")
    with bound(platform, member(ACME)):
        await files.write("notes.txt", "acme")
        assert await files.read("forms/f1/cv.txt", location="uploads") == "Ada's CV"
        with pytest.raises(AccessDenied, match="read-only"):
            await files.write("forms/f1/cv.txt", "forged", location="uploads")
        with pytest.raises(AccessDenied, match="read-only"):
            await files.delete("forms/f1/cv.txt", location="uploads")
        with pytest.raises(AccessDenied, match="platform admins"):
            await files.read("notes.txt", mode="local")
    with bound(platform, member(GLOBEX)):
        assert await files.exists("notes.txt") is False
        assert await files.list(location="uploads") == []
    with bound(platform, admin(ACME)):
        await files.write("workflows/x.py", "print()", mode="local")
    with bound(platform, admin()):  # local files are one shared workspace, not per scope
        assert await files.read("workflows/x.py", mode="local") == "print()"
    assert platform.files(mode="local") == {"workflows/x.py": b"print()"}


# integrations


HALO = IntegrationData(
    integration_id="halo",
    entity_id="tenant-1",
    config={"base_url": "https://halo.example"},
    oauth=OAuthCredentials(access_token="at-1"),
)

GLOBEX_HALO = HALO.model_copy(update={"entity_id": "globex-tenant"})


async def test_integrations_get_answers_the_given_ones() -> None:
    platform = InMemoryPlatform(integrations={"Halo": HALO})
    platform.add_integration("Halo", GLOBEX_HALO, scope="org-globex")
    with bound(platform, member(ACME)):
        halo = await integrations.get("Halo")
        assert halo == HALO
        assert halo is not None
        halo.config["base_url"] = "changed"  # a copy
        assert (await integrations.get("Halo")) == HALO
        assert await integrations.get("Graph") is None
        with pytest.raises(AccessDenied):
            await integrations.get("Halo", org_id="org-globex")
    with bound(platform, member(GLOBEX)):
        assert await integrations.get("Halo") == GLOBEX_HALO
    with bound(platform, admin()):
        assert await integrations.get("Halo", org_id="org-globex") == GLOBEX_HALO


# knowledge


async def test_knowledge_store_get_delete_and_namespaces() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member()):
        doc_id = await knowledge.store("VPN needs the Acme client.", namespace="it", key="vpn", metadata={"v": 1})
        assert doc_id == "vpn"
        anonymous = await knowledge.store("Printers are on floor 2.", namespace="it")
        assert len(anonymous) == 32
        assert await knowledge.store_many([{"content": "Lunch at noon.", "key": "lunch"}]) == ["lunch"]
        await knowledge.store("VPN: use the new client.", namespace="it", key="vpn")  # replaces
        got = await knowledge.get("vpn", namespace="it")
        assert got is not None
        assert (got.content, got.metadata, got.organization_id, got.score) == (
            "VPN: use the new client.",
            {},
            "org-acme",
            None,
        )
        assert await knowledge.get("nope", namespace="it") is None
        assert [(n.name, n.org_document_count) for n in await knowledge.list_namespaces()] == [
            ("default", 1),
            ("it", 2),
        ]
        assert await knowledge.delete("lunch") is True
        assert await knowledge.delete("lunch") is False
        assert [n.name for n in await knowledge.list_namespaces()] == ["it"]  # an emptied namespace is gone
        with pytest.raises(ValidationError, match="same key twice"):
            await knowledge.store_many([{"content": "a", "key": "k"}, {"content": "b", "key": "k"}])
        with pytest.raises(ValidationError, match="no text"):
            await knowledge.store("  ")
    assert [d.key for d in platform.knowledge_documents("it", scope="org-acme")] == ["vpn", None]
    with bound(platform, member()):
        assert await knowledge.delete_namespace("it") == 2
        assert await knowledge.list_namespaces() == []


async def test_knowledge_search_scores_by_term_overlap() -> None:
    platform = InMemoryPlatform()
    with bound(platform, member()):
        await knowledge.store_many(
            [
                {"content": "Reset the VPN client, then reconnect.", "key": "vpn", "metadata": {"year": 2024}},
                {"content": "The printer on floor 2 needs toner.", "key": "printer", "metadata": {"year": 2023}},
                {"content": "VPN tokens expire yearly.", "key": "token", "metadata": {"year": 2025, "kind": "faq"}},
            ],
            namespace="it",
        )
        hits = await knowledge.search("reset vpn client", namespace="it")
        assert [(h.key, h.score) for h in hits] == [("vpn", 1.0), ("token", pytest.approx(1 / 3))]
        assert hits[0].content == "Reset the VPN client, then reconnect."
        assert [h.key for h in await knowledge.search("vpn", namespace="it", limit=1)] == ["vpn"]
        assert [h.key for h in await knowledge.search("reset vpn client", namespace="it", min_score=0.5)] == ["vpn"]
        assert await knowledge.search("weather", namespace="it") == []
        filtered = await knowledge.search("vpn toner", namespace="it", metadata_filter={"year": {"$gte": 2024}})
        assert sorted(h.key or "" for h in filtered) == ["token", "vpn"]
        faq = await knowledge.search("vpn", namespace="it", metadata_filter={"kind": "faq"})
        assert [h.key for h in faq] == ["token"]
        nin = await knowledge.search("vpn", namespace="it", metadata_filter={"year": {"$nin": [2024]}})
        assert [h.key for h in nin] == ["token"]
        with pytest.raises(ValidationError, match="one operator"):
            await knowledge.search("vpn", namespace="it", metadata_filter={"year": {"$regex": "x"}})
        with pytest.raises(ValidationError, match="no knowledge namespace 'hr'"):
            await knowledge.search("vpn", namespace=["it", "hr"])


async def test_knowledge_reads_global_too_and_the_organization_shadows_it() -> None:
    platform = InMemoryPlatform()
    with bound(platform):  # GLOBAL
        await knowledge.store("Holidays: 25 days.", namespace="hr", key="holidays")
        await knowledge.store("Expenses: file within 30 days.", namespace="hr", key="expenses")
    with bound(platform, member(ACME)):
        await knowledge.store("Holidays at Acme: 30 days.", namespace="hr", key="holidays")
        hits = await knowledge.search("holidays days", namespace="hr")
        assert [(h.key, h.organization_id) for h in hits] == [("holidays", "org-acme"), ("expenses", None)]
        own_only = await knowledge.search("days", namespace="hr", fallback=False)
        assert [h.key for h in own_only] == ["holidays"]
        expenses = await knowledge.get("expenses", namespace="hr")
        assert expenses is not None and expenses.organization_id is None
        assert await knowledge.delete("expenses", namespace="hr") is False  # GLOBAL's: not the caller's to delete
        [info] = await knowledge.list_namespaces()
        assert (info.name, info.org_document_count, info.global_document_count) == ("hr", 1, 2)
    with bound(platform, member(GLOBEX)):
        got = await knowledge.get("holidays", namespace="hr")
        assert got is not None and got.content == "Holidays: 25 days."


# organizations, users, roles, forms


async def test_identity_is_for_platform_admins() -> None:
    with bound(InMemoryPlatform(), member()):
        with pytest.raises(AccessDenied, match=r"organizations\.list requires a platform admin"):
            await organizations.list()
        with pytest.raises(AccessDenied):
            await users.create("ada@example.com", "Ada")
        with pytest.raises(AccessDenied):
            await roles.list()


async def test_organizations_and_users() -> None:
    platform = InMemoryPlatform()
    with bound(platform, admin()):
        org = await organizations.create("Initech", domain="initech.example")
        assert await organizations.get(org.id) == org
        with pytest.raises(ValidationError, match="already exists"):
            await organizations.create("INITECH")
        renamed = await organizations.update(org.id, name="Initrode", is_active=False)
        assert (renamed.name, renamed.domain, renamed.is_active) == ("Initrode", "initech.example", False)
        with pytest.raises(ValidationError, match="cannot update"):
            await organizations.update(org.id, owner="me")

        bob = await users.create("bob@initech.example", "Bob", org_id=org.id)
        ada = await users.create("ada@example.com", "Ada", is_superuser=True)
        assert [u.email for u in await users.list()] == ["ada@example.com", "bob@initech.example"]
        assert [u.id for u in await users.list(org_id=org.id)] == [bob.id]
        assert await users.get(ada.id) == ada
        assert (await users.update(ada.id, name="Ada L.")).name == "Ada L."
        with pytest.raises(ValidationError, match="already exists"):
            await users.create("BOB@initech.example", "Bob 2")
        with pytest.raises(ValidationError, match="not an email"):
            await users.create("bob", "Bob")
        with pytest.raises(NotFoundError):
            await users.create("carol@example.com", "Carol", org_id="no-such-org")
        assert await users.delete(bob.id) is True
        assert await users.delete(bob.id) is False
        assert await users.get(bob.id) is None

        assert await organizations.delete(org.id) is True
        assert await organizations.delete(org.id) is False
        with pytest.raises(NotFoundError):
            await organizations.get(org.id)
        assert await organizations.list() == []
    assert [u.name for u in platform.users()] == ["Ada L."]
    assert platform.organizations() == []


async def test_roles_belong_to_the_organization_the_admin_acts_in() -> None:
    platform = InMemoryPlatform(forms=[FormPublic(id="f-1", name="Onboarding", organization_id="org-acme")])
    with bound(platform, admin()):
        with pytest.raises(ValidationError, match="needs an organization"):
            await roles.create("Manager")
        outsider = await users.create("eve@example.com", "Eve")
    with bound(platform, admin(ACME)):
        bob = await users.create("bob@acme.example", "Bob", org_id="org-acme")  # Acme exists: it is the caller's
        role = await roles.create("Manager", description="Approves")
        assert (role.organization_id, role.is_active) == ("org-acme", True)
        assert await roles.get(role.id) == role
        assert await roles.list() == [role]
        assert (await roles.update(role.id, description="Approves spend")).description == "Approves spend"
        await roles.assign_users(role.id, [bob.id])
        await roles.assign_users(role.id, [bob.id])  # assigning twice is harmless
        await roles.assign_forms(role.id, ["f-1"])
        assert await roles.list_users(role.id) == [bob.id]
        assert await roles.list_forms(role.id) == ["f-1"]
        with pytest.raises(ValidationError, match="role's organization"):
            await roles.assign_users(role.id, [outsider.id])
        with pytest.raises(NotFoundError):
            await roles.assign_forms(role.id, ["f-404"])
        with pytest.raises(ValidationError, match="already has a role"):
            await roles.create("manager")
    with bound(platform, admin(GLOBEX)):
        with pytest.raises(NotFoundError):
            await roles.get(role.id)
        assert await roles.list() == []
    with bound(platform, admin()):  # GLOBAL: every organization's roles
        assert [r.id for r in await roles.list()] == [role.id]
    with bound(platform, admin(ACME)):
        await roles.delete(role.id)
        with pytest.raises(NotFoundError):
            await roles.get(role.id)
    assert platform.roles() == []
    assert [o.id for o in platform.organizations()] == ["org-acme", "org-globex"]


async def test_forms_visibility_follows_the_host() -> None:
    platform = InMemoryPlatform(
        forms=[
            FormPublic(id="f-global", name="A global"),
            FormPublic(id="f-acme", name="B acme", organization_id="org-acme"),
            FormPublic(id="f-globex", name="C globex", organization_id="org-globex"),
            FormPublic(id="f-off", name="D inactive", organization_id="org-acme", is_active=False),
            FormPublic(id="f-roles", name="E managers", organization_id="org-acme", access_level="role_based"),
        ]
    )
    with bound(platform, admin(ACME)):
        bob = await users.create("bob@acme.example", "Bob", org_id="org-acme")
        role = await roles.create("Manager")
        await roles.assign_forms(role.id, ["f-roles"])
    with bound(platform, member(ACME)):
        assert [f.id for f in await forms.list()] == ["f-global", "f-acme"]
        with pytest.raises(NotFoundError):
            await forms.get("f-globex")
        with pytest.raises(NotFoundError):
            await forms.get("f-roles")
    with bound(platform, admin(ACME)):
        await roles.assign_users(role.id, [bob.id])
    with bound(platform, member(ACME, user_id=bob.id)):
        assert [f.id for f in await forms.list()] == ["f-global", "f-acme", "f-roles"]
        assert (await forms.get("f-roles")).name == "E managers"
    with bound(platform, admin()):
        assert (await forms.get("f-off")).is_active is False
        assert [f.id for f in await forms.list()] == ["f-global"]


# ai


class Verdict(BaseModel):
    urgent: bool
    reason: str


async def test_ai_is_answered_by_the_override_model() -> None:
    platform = InMemoryPlatform()
    model = TestModel("Printer jammed.", data={"urgent": True, "reason": "floor 2 is blocked"})
    with bound(platform), override_model(model):
        reply = await ai.complete("Summarize T-42", system="Be brief", model="small")
        assert (reply.content, reply.model) == ("Printer jammed.", "test")
        verdict = await ai.complete("Is T-42 urgent?", response_format=Verdict)
        assert verdict == Verdict(urgent=True, reason="floor 2 is blocked")
        chunks = [chunk async for chunk in ai.stream("Write a haiku")]
        assert "".join(c.content for c in chunks) == "Printer jammed."
        assert chunks[-1].done is True
    first = model.requests[0]
    assert (first.system, first.model, first.messages[-1].content) == ("Be brief", "small", "Summarize T-42")
    assert model.requests[1].response_schema is not None


async def test_ai_structured_output_gets_one_repair_round_trip() -> None:
    replies = iter(['{"urgent": "maybe"}', '{"urgent": false, "reason": "fine"}'])
    model = FunctionModel(lambda request: next(replies))
    with bound(InMemoryPlatform()), override_model(model):
        assert await ai.complete("Urgent?", response_format=Verdict) == Verdict(urgent=False, reason="fine")
    *_, invalid, problems = model.requests[1].messages
    assert (invalid.role, invalid.content) == ("assistant", '{"urgent": "maybe"}')
    assert problems.role == "user"
    assert "did not match the required JSON schema" in problems.content
    assert model.requests[1].response_schema == model.requests[0].response_schema


async def test_ai_without_a_model_or_with_knowledge_is_not_available() -> None:
    with bound(InMemoryPlatform()):
        with pytest.raises(NotAvailableError, match="override_model") as raised:
            await ai.complete("hi")
        assert "handlers={'ai.complete'" in str(raised.value)
        with pytest.raises(NotAvailableError, match="override_model"):
            [chunk async for chunk in ai.stream("hi")]
        with override_model(TestModel()), pytest.raises(NotAvailableError, match="knowledge="):
            await ai.complete("policy?", knowledge=["hr"])


# what is not kept, handlers, calls


@pytest.mark.parametrize(
    ("call", "operation"),
    [
        (lambda: executions.list(), "executions.list"),
        (lambda: executions.get("exec-1"), "executions.get"),
        (lambda: executions.get_current_logs(), "executions.get_logs"),
        (lambda: workflows.list(), "workflows.list"),
        (lambda: workflows.get("exec-1"), "executions.get"),
    ],
)
async def test_history_and_registry_are_not_available(call: Any, operation: str) -> None:
    with bound(InMemoryPlatform()), pytest.raises(NotAvailableError) as raised:
        await call()
    assert f"handlers={{{operation!r}: function}}" in str(raised.value)


async def test_handlers_add_and_override_operations_and_calls_are_recorded() -> None:
    platform = InMemoryPlatform(
        handlers={
            "executions.list": lambda **arguments: [],
            "config.get": lambda key, default: f"from handler: {key}",
            "ai.complete": lambda **arguments: AIResponse(content="canned"),
        }
    )
    with bound(platform):
        assert await executions.list(limit=5) == []
        assert await config.get("anything") == "from handler: anything"
        assert (await ai.complete("hi")).content == "canned"
        await config.set("real", 1)
        with pytest.raises(NotAvailableError, match=r"no operation 'tables\.frobnicate'"):
            await platform.call("tables.frobnicate", {})
    assert [operation for operation, _ in platform.calls] == [
        "executions.list",
        "config.get",
        "ai.complete",
        "config.set",
        "tables.frobnicate",
    ]
    assert platform.calls[3] == ("config.set", {"key": "real", "value": 1, "is_secret": False})


# GLOBAL, which every organization reads, is written by platform admins only, as on the host

GLOBAL_WRITES: list[tuple[str, Any]] = [
    ("config.set", lambda: config.set("api_url", "https://attacker.example")),
    ("config.delete", lambda: config.delete("api_url")),
    ("tables.create", lambda: tables.create("notes")),
    ("tables.insert", lambda: tables.insert("tickets", {"status": "open"}, id="T-9")),
    ("tables.upsert", lambda: tables.upsert("tickets", "T-1", {"status": "gone"})),
    ("tables.update", lambda: tables.update("tickets", "T-1", {"status": "gone"})),
    ("tables.delete_document", lambda: tables.delete_document("tickets", "T-1")),
    ("tables.delete", lambda: tables.delete("tickets")),
    ("files.write", lambda: files.write("notes.txt", "x")),
    ("files.delete", lambda: files.delete("seed.txt")),
    ("knowledge.store", lambda: knowledge.store("text", namespace="runbooks", key="k2")),
    ("knowledge.delete", lambda: knowledge.delete("k1", namespace="runbooks")),
    ("knowledge.delete_namespace", lambda: knowledge.delete_namespace("runbooks")),
]


def global_world() -> InMemoryPlatform:
    platform = InMemoryPlatform(config={"api_url": "https://api.example"})
    platform.put_document("tickets", {"status": "open"}, id="T-1")
    platform.put_file("seed.txt", b"seed")
    return platform


@pytest.mark.parametrize(("operation", "write"), GLOBAL_WRITES, ids=[op for op, _ in GLOBAL_WRITES])
async def test_a_global_write_by_anyone_but_a_platform_admin_is_refused_as_on_the_host(
    operation: str, write: Any
) -> None:
    from bifrost_mcp.access import writable_scope
    from bifrost_mcp.caller import Caller

    platform = global_world()
    with bound(platform, test_context()):  # the default caller, the local owner, seeds GLOBAL knowledge
        await knowledge.store("seed text", namespace="runbooks", key="k1")
    before = (platform.config_values(), platform.documents("tickets"), platform.files(), platform.table_names())
    user = test_context(is_platform_admin=False, email="drifter@msp.test")
    key = test_context(is_platform_admin=False, is_function_key=True, name="Monitoring")
    for ctx in (user, key):
        with bound(platform, ctx), pytest.raises(AccessDenied) as refused:
            await write()
        host_caller = Caller(ctx.user_id, ctx.email, ctx.name, None, False, is_function_key=ctx.is_function_key)
        with pytest.raises(AccessDenied) as on_the_host:
            writable_scope(host_caller)
        assert str(refused.value) == str(on_the_host.value)
    assert (platform.config_values(), platform.documents("tickets"), platform.files(), platform.table_names()) == before
    assert len(platform.knowledge_documents("runbooks")) == 1

    with bound(platform, user):  # reading GLOBAL stays open to them
        assert await config.get("api_url") == "https://api.example"
        assert (await tables.get("tickets", "T-1")) is not None
    with bound(platform, test_context()):  # the default context is a platform admin: it may write GLOBAL
        assert test_context().is_platform_admin and test_context().scope == "GLOBAL"
        await write()


async def test_the_default_context_is_an_admin_in_global_and_one_with_an_organization_a_member() -> None:
    assert (test_context().scope, test_context().is_platform_admin) == ("GLOBAL", True)
    assert (member().scope, member().is_platform_admin) == ("org-acme", False)


async def test_a_call_outside_a_run_has_no_caller() -> None:
    with pytest.raises(NoExecutionContextError):
        await InMemoryPlatform().call("config.get", {"key": "k", "default": None})


# a small workflow, end to end


async def close_ticket(ticket_id: str) -> None:
    await tables.update("tickets", ticket_id, {"status": "closed", "by": await config.get("bot_name")})


async def test_the_module_docstring_example() -> None:
    platform = InMemoryPlatform(config={"bot_name": "Ada"})
    with bound(platform):
        await tables.insert("tickets", {"status": "open"}, id="T-1")
        await close_ticket("T-1")
    assert platform.documents("tickets")[0].data == {"status": "closed", "by": "Ada"}


@workflow
async def escalate_tickets(min_priority: int = 3) -> dict[str, Any]:
    """Escalate urgent open tickets to Halo and write a report."""
    halo = await integrations.get("Halo")
    if halo is None:
        raise RuntimeError("Halo is not configured")
    label = await config.get("escalation_label", default="escalated")
    urgent = await tables.query(
        "tickets", where={"status": "open", "priority": {"gte": min_priority}}, order_by="priority", order_dir="desc"
    )
    for ticket in urgent.documents:
        await tables.update("tickets", ticket.id, {"status": label, "queue": halo.config["base_url"]})
    report = "\n".join(f"{t.id},{t.data['priority']}" for t in urgent.documents)
    await files.write("reports/escalations.csv", report)
    return {"escalated": [t.id for t in urgent.documents]}


async def test_example_workflow_runs_offline() -> None:
    platform = InMemoryPlatform(integrations={"Halo": HALO}, config={"escalation_label": "sent-to-halo"})
    with bound(platform, member(ACME)):
        await tables.insert("tickets", {"status": "open", "priority": 5}, id="T-1")
        await tables.insert("tickets", {"status": "open", "priority": 1}, id="T-2")
        await tables.insert("tickets", {"status": "closed", "priority": 4}, id="T-3")
        await tables.insert("tickets", {"status": "open", "priority": 3}, id="T-4")
        assert await escalate_tickets() == {"escalated": ["T-1", "T-4"]}
    statuses = {d.id: d.data["status"] for d in platform.documents("tickets", scope="org-acme")}
    assert statuses == {"T-1": "sent-to-halo", "T-2": "open", "T-3": "closed", "T-4": "sent-to-halo"}
    assert platform.files(scope="org-acme") == {"reports/escalations.csv": b"T-1,5\nT-4,3"}

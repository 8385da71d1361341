"""The directory's search: one rule on both databases, so they give the same results.

Text is NFKC-normalised and case-folded (full-width and half-width letters are one), in Python,
into `CompanyProfile.search_text`. A query is split at spaces; every term must occur in the
text as a substring (AND). Terms of three characters or more are answered by a trigram index
(SQLite FTS5's `trigram` tokenizer over `search_text`; PostgreSQL's `pg_trgm` GIN index with
LIKE), which finds substrings in Japanese as in English, no word breaks needed. A trigram
index cannot answer a term of one or two characters ("薬", "AI"): those are a LIKE scan of
the event's rows on both databases, with the same substring meaning.

The index follows every edit: the derived columns are recomputed before each flush for every
company or profile the ORM changed (pages, the organiser, new companies), and `refresh` is
called after the imports' bulk writes; SQLite's FTS table follows `search_text` by triggers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Integer, and_, column, event, or_, select, text, true
from sqlalchemy.orm import Session, selectinload

from web.companies.models import Company
from web.db import escape_like
from web.profiles.models import CompanyProfile
from web.profiles.vocabulary import BY_FIELD

FTS_TABLE = "profile_search"  # SQLite only; its shadow tables share the prefix
PG_INDEX = "profile_search_trgm"
TRIGRAM = 3  # the shortest term the index answers

SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, "
    "content='company_profiles', content_rowid='company_id', "
    "tokenize='trigram case_sensitive 1')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON company_profiles BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.company_id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON company_profiles BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.company_id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF search_text "
    f"ON company_profiles BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
    "VALUES ('delete', old.company_id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.company_id, new.search_text); END",
)
SQLITE_DROP = (
    *(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{kind}" for kind in ("insert", "delete", "update")),
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)
POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON company_profiles "
    "USING gin (search_text gin_trgm_ops) WITH (fastupdate = off)",
)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {PG_INDEX}",)


def create_index(connection) -> None:
    """The search index for this connection's database (the migration and create_all)."""
    ddl = SQLITE_DDL if connection.dialect.name == "sqlite" else POSTGRES_DDL
    for statement in ddl:
        connection.exec_driver_sql(statement)


def drop_index(connection) -> None:
    drop = SQLITE_DROP if connection.dialect.name == "sqlite" else POSTGRES_DROP
    for statement in drop:
        connection.exec_driver_sql(statement)


def is_search_index(name: str | None) -> bool:
    """Not in the models' metadata on purpose (a virtual table, an operator-class index):
    what schema comparisons leave out."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_INDEX)


@event.listens_for(CompanyProfile.__table__, "after_create")
def _index_after_create(_table, connection, **_kw) -> None:
    create_index(connection)


@event.listens_for(CompanyProfile.__table__, "before_drop")
def _index_before_drop(_table, connection, **_kw) -> None:
    drop_index(connection)


# --- the derived columns -----------------------------------------------------------------


def fold(words: str) -> str:
    """What search compares: NFKC (full-width letters, half-width kana), case-folded, one
    space between words."""
    return " ".join(unicodedata.normalize("NFKC", words).casefold().split())


def searched_text(name: str, description: str | None, keywords: Iterable[str]) -> str:
    return fold("\n".join([name, description or "", " ".join(keywords)]))


def facet_text(profile: CompanyProfile) -> str:
    """' organisation_type:biotech therapeutic_areas:oncology country:US ... ': one token per
    controlled value, each between spaces, which the filters find with LIKE."""
    tokens = [f"{field}:{code}" for field in BY_FIELD for code in _codes(profile, field)]
    if profile.country:
        tokens.append(f"country:{profile.country}")
    return f" {' '.join(tokens)} " if tokens else ""


def _codes(profile: CompanyProfile, field: str) -> list[str]:
    value = getattr(profile, field)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def derive(profile: CompanyProfile, company: Company) -> None:
    if company.event_id is not None:
        profile.event_id = company.event_id
    else:
        profile.event = company.event  # both new: the flush orders the rows
    profile.search_text = searched_text(company.name, profile.description, profile.keywords or [])
    profile.sort_name = fold(company.name)
    profile.facets = facet_text(profile)


@event.listens_for(Session, "before_flush")
def _keep_profiles_in_step(session: Session, _context, _instances) -> None:
    """Every new company gets its profile; a renamed company or an edited profile its
    search text again (whichever page or operation made the change)."""
    with session.no_autoflush:
        for row in [*session.new, *session.dirty]:
            if isinstance(row, Company) and row not in session.deleted:
                profile = row.profile
                if profile is None:
                    profile = CompanyProfile(company=row)
                    session.add(profile)
                derive(profile, row)
            elif isinstance(row, CompanyProfile) and row.company is not None:
                derive(row, row.company)


def refresh(session: Session, event_id: int, company_ids: Iterable[int] | None = None) -> None:
    """After writes that bypass the ORM (imports): a profile for each company that has
    none, and the search text of those named (None: the event's every company)."""
    query = (
        select(Company)
        .where(Company.event_id == event_id)
        .options(selectinload(Company.profile))
        .execution_options(populate_existing=True)  # the names as the bulk write left them
    )
    if company_ids is not None:
        wanted = list(company_ids)
        if not wanted:
            return
        query = query.where(Company.id.in_(wanted))
    for company in session.scalars(query):
        if company.profile is None:
            session.add(CompanyProfile(company=company))  # derived at the flush
        else:
            derive(company.profile, company)
    session.flush()


# --- the query ---------------------------------------------------------------------------


def terms(query: str) -> list[str]:
    return list(dict.fromkeys(fold(query).split()))


def matching(session: Session, query: str) -> ColumnElement[bool]:
    """The condition on CompanyProfile for a search (see the module's rule)."""
    conditions = []
    words = terms(query)
    long = [w for w in words if len(w) >= TRIGRAM]
    short = [w for w in words if len(w) < TRIGRAM]
    if long and session.get_bind().dialect.name == "sqlite":
        phrase = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
        found = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :phrase")
        found = found.bindparams(phrase=phrase).columns(column("rowid", Integer))
        conditions.append(CompanyProfile.company_id.in_(found))
    else:
        short = words
    for word in short:
        conditions.append(CompanyProfile.search_text.like(f"%{escape_like(word)}%", escape="\\"))
    return and_(*conditions) if conditions else true()


def facet(field: str, codes: Iterable[str]) -> ColumnElement[bool] | None:
    """Any of `codes` in `field` (several chosen in one filter: either will do)."""
    wanted = [c for c in codes if c]
    if not wanted:
        return None
    return or_(
        *(
            CompanyProfile.facets.like(f"% {escape_like(f'{field}:{c}')} %", escape="\\")
            for c in wanted
        )
    )

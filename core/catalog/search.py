"""Product search: exact SKU, barcode, name prefix, name substring and pinyin, in that order.

Every product keeps search keys beside its name (``sku_key``, ``name_key``, ``pinyin_*``) and
its 1–2-character name pieces in ``product_grams``; :func:`index_product` maintains both.
:func:`search_products` asks one tier after another and stops as soon as it has ``limit``
hits, each tier fetching only what is still missing and skipping what earlier tiers found.

Order within a tier is the order its index hands rows out, so a tier reads about as many
index entries as it needs instead of sorting every match (a 1-character term can match half
the catalogue): prefix tiers by the key, then id, so the shortest and alphabetically first
names come first (杯 before 杯子); SKU, barcode and substring tiers by product id, oldest
product first. Both engines give the same hits in the same order.

Substrings need two kinds of index, as no trigram index finds 1–2-character terms (牛奶, 杯):

- 1–2 characters: an equality lookup of the term in ``product_grams``, on both engines. It is
  a statement of its own, so on PostgreSQL a generic prepared plan made for the LIKE below is
  never used for a short term.
- 3+ characters: SQLite matches the FTS5 trigram table ``product_search`` (migration 0002
  keeps it in step with ``products.name_key`` by triggers); PostgreSQL runs
  ``name_key LIKE '%term%'``, served by the pg_trgm GIN index ``ix_products_name_trgm``.
  Both read at most ``TRIGRAM_CAP`` matches that way; past that the term is common and the
  oldest matches are found by a walk instead (see :func:`_like_substring`).

Prefix tiers are range scans (``key >= term AND key < term || U+10FFFF``) on the
``(business_id, key)`` indexes, which both engines use; they assume keys compare in code-point
order, as SQLite's BINARY collation and PostgreSQL's ``C.UTF-8`` (DESIGN: Storage) do.
"""

import functools
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pypinyin import Style, lazy_pinyin
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Executable,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy import table as sql_table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.catalog.models import Barcode, Product, ProductGram

Match = Literal["sku", "barcode", "prefix", "substring", "pinyin"]

SHORT_TERM_MAX = 2  # terms up to this many characters are looked up in product_grams
TRIGRAM_CAP = 200  # 3+ characters: matches read through a trigram index before walking
_AFTER_ALL = "\U0010ffff"  # the largest code point: key < term + this  <=>  key starts with term
_LIKE_ESCAPE = "\\"
_MAX_ROWID = 2**63 - 1

# The FTS5 external-content table of migration 0002 (SQLite only); rowid is products.id.
_product_search = sql_table("product_search", column("rowid"), column("name_key"))


@dataclass(frozen=True)
class SearchKeys:
    """What a product is found by, derived from its SKU and name.

    Attributes:
        sku_key: the SKU, trimmed and casefolded.
        name_key: the name, trimmed and casefolded.
        pinyin_initials: first letters of the name's pinyin ("不锈钢杯" -> "bxgb"), with Latin
            letters and digits kept as they are; no spaces or punctuation.
        pinyin_full: the name's whole pinyin without separators ("buxiugangbei").
    """

    sku_key: str
    name_key: str
    pinyin_initials: str
    pinyin_full: str


@dataclass(frozen=True)
class ProductHit:
    """One product found, and the tier that found it."""

    product_id: int
    sku: str
    name: str
    unit: str
    archived: bool
    match: Match


def search_keys(sku: str, name: str) -> SearchKeys:
    """Computes a product's search keys from its SKU and name."""
    name_key = name.strip().casefold()
    return SearchKeys(
        sku_key=sku.strip().casefold(),
        name_key=name_key,
        pinyin_initials=_pinyin_key(name_key, Style.FIRST_LETTER),
        pinyin_full=_pinyin_key(name_key, Style.NORMAL),
    )


def _pinyin_key(text: str, style: Style) -> str:
    # lazy_pinyin: one reading per character (no heteronyms), words read in context
    # (重庆 -> chong qing), non-Chinese runs passed through unchanged. NFKC turns full-width
    # "５００ｍｌ" into the "500ml" a phone keyboard types; spaces and punctuation go.
    spelled = unicodedata.normalize("NFKC", "".join(lazy_pinyin(text, style=style)))
    return "".join(ch for ch in spelled if ch.isalnum()).casefold()


def _has_content(piece: str) -> bool:
    """False for pieces of only spaces and punctuation: they are not kept as grams."""
    return not all(ch.isspace() or unicodedata.category(ch).startswith("P") for ch in piece)


def name_grams(name_key: str) -> set[str]:
    """Every 1- and 2-character piece of ``name_key``, except pieces of only spaces/punctuation.

    >>> sorted(name_grams("纯牛奶"))
    ['奶', '牛', '牛奶', '纯', '纯牛']
    """
    grams: set[str] = set()
    for size in (1, 2):
        for start in range(len(name_key) - size + 1):
            piece = name_key[start : start + size]
            if _has_content(piece):
                grams.add(piece)
    return grams


def gram_rows(business_id: int, product_id: int, name_key: str) -> list[dict[str, Any]]:
    """The ``product_grams`` rows of one product, for inserts without the ORM (bulk loads)."""
    return [
        {"business_id": business_id, "gram": gram, "product_id": product_id}
        for gram in sorted(name_grams(name_key))
    ]


async def index_product(session: AsyncSession, product: Product) -> None:
    """Brings a product's search keys and name pieces up to date with its SKU and name.

    Call it whenever a product is created or its SKU or name changes. It adds the product to
    the session if needed and flushes it (the pieces need its id; on SQLite the flush is also
    what updates the full-text index), then replaces the product's ``product_grams`` rows.
    It never commits.
    """
    keys = search_keys(product.sku, product.name)
    product.sku_key = keys.sku_key
    product.name_key = keys.name_key
    product.pinyin_initials = keys.pinyin_initials
    product.pinyin_full = keys.pinyin_full
    session.add(product)
    await session.flush()
    no_sync = {"synchronize_session": False}  # grams are never loaded as objects
    await session.execute(
        delete(ProductGram).where(ProductGram.product_id == product.id),
        execution_options=no_sync,
    )
    rows = gram_rows(product.business_id, product.id, keys.name_key)
    if rows:
        await session.execute(insert(ProductGram), rows)


_Query = Select[*tuple[Any, ...]]
# A tier: given the session and the parameters every tier's statements take (business_id;
# found, the ids earlier tiers found; needed, how many hits are still wanted), rows of
# (id, sku, name, unit, archived) best first.
_Tier = Callable[[AsyncSession, dict[str, Any]], Awaitable[Sequence[Row[Any]]]]


async def search_products(
    session: AsyncSession,
    business_id: int,
    term: str,
    *,
    limit: int = 20,
    include_archived: bool = False,
) -> list[ProductHit]:
    """Finds up to ``limit`` products of one business by SKU, barcode, name or pinyin.

    Tiers, best first: exact SKU, exact barcode, name prefix, name substring, then pinyin
    initials or full pinyin prefix ("bxg", "buxiu" find 不锈钢杯). A product appears once, in
    its best tier. Matching ignores case and surrounding spaces; ``%``, ``_``, quotes and
    other characters in ``term`` match themselves. Archived products are left out unless
    ``include_archived``. A blank term finds nothing. Within a tier, prefix matches come by
    their key, then id (杯 before 杯子), the others by id, oldest product first.
    """
    raw = term.strip()
    key = raw.casefold()
    if not key or limit <= 0:
        return []
    sql = _statements(include_archived)
    # Scanned codes arrive exactly as printed; typed internal codes may differ in case.
    codes = sorted({raw, key, raw.upper()})
    tiers: list[tuple[Match, _Tier]] = [
        ("sku", _rows(sql.sku, key=key)),
        ("barcode", _rows(sql.barcode, codes=codes)),
        ("prefix", _rows(sql.name_prefix, low=key, high=key + _AFTER_ALL)),
    ]
    if len(key) <= SHORT_TERM_MAX:
        if _has_content(key):  # else it is in no product's grams
            tiers.append(("substring", _rows(sql.gram, gram=key)))
    elif (await session.connection()).dialect.name == "sqlite":
        tiers.append(("substring", _fts5_substring(sql, key)))
    else:
        tiers.append(("substring", _like_substring(sql, key)))
    # Pinyin keys are ASCII letters and digits: "bu xiu" and "ｂｘｇ" are typed spellings of
    # them; a term with Chinese or punctuation in it cannot match, so skip the lookups.
    spelled = "".join(unicodedata.normalize("NFKC", key).split()).casefold()
    if spelled.isascii() and spelled.isalnum():
        pinyin = _rows(sql.pinyin_prefix, low=spelled, high=spelled + _AFTER_ALL)
        tiers.append(("pinyin", pinyin))

    hits: list[ProductHit] = []
    found: set[int] = set()
    for match, tier in tiers:
        needed = limit - len(hits)
        if needed <= 0:
            break
        params = {"business_id": business_id, "found": sorted(found), "needed": needed}
        for row in await tier(session, params):
            if row.id not in found and len(hits) < limit:
                found.add(row.id)
                hits.append(ProductHit(row.id, row.sku, row.name, row.unit, row.archived, match))
    return hits


async def _execute(
    session: AsyncSession, statement: Executable, params: dict[str, Any]
) -> Sequence[Row[Any]]:
    connection = await session.connection()  # Core: these SELECTs load no ORM objects
    return (await connection.execute(statement, params)).all()


def _rows(statement: Executable, **term: Any) -> _Tier:
    """A tier of one statement, given the term's parameters."""

    async def run(session: AsyncSession, params: dict[str, Any]) -> Sequence[Row[Any]]:
        rows = await _execute(session, statement, params | term)
        if isinstance(statement, CompoundSelect):  # a UNION ALL: each part in its own order
            return sorted(rows, key=lambda row: (row.part, row.sort_key, row.id))
        return rows

    return run


def _like_substring(sql: "_Statements", key: str) -> _Tier:
    """PostgreSQL, 3+ characters: the trigram index, or a walk for a common term.

    A trigram index finds a term's matches in no useful order: the oldest ones are known only
    once all are read. That is right for a rare term; a common one is better found by walking
    ids and stopping after ``needed`` hits. Left to choose, the planner walks the whole table
    in id order for a rare term it takes for a common one (25 ms at 100,000 products; 28 ms
    for a small business whose ids come after a big one's). So the index gives at most
    ``TRIGRAM_CAP`` matches; when there are that many, the walk goes, inside the business,
    down the ids of the products holding the term's first 2-character piece.
    """
    escaped = "".join(_LIKE_ESCAPE + ch if ch in "%_\\" else ch for ch in key)
    walk, term = sql.walk(key, "strpos")

    async def run(session: AsyncSession, params: dict[str, Any]) -> Sequence[Row[Any]]:
        like = {"pattern": f"%{escaped}%", "cap": TRIGRAM_CAP}
        rows = await _execute(session, sql.like, params | like)
        if rows and rows[0].matches >= TRIGRAM_CAP:  # not all of the business's matches
            rows = await _execute(session, walk, params | term)
        return rows

    return run


def _fts5_substring(sql: "_Statements", key: str) -> _Tier:
    """SQLite, 3+ characters: the FTS5 trigram table, or a walk for a common term.

    FTS5 hands out every business's matches in id order, so a small business next to a big
    one would wait for the big one's. It reads at most ``TRIGRAM_CAP``; when the business's
    hits are not all among them, the walk of :func:`_like_substring` finds them.
    """
    phrase = '"' + key.replace('"', '""') + '"'  # one phrase: a literal substring
    walk, term = sql.walk(key, "instr")

    async def run(session: AsyncSession, params: dict[str, Any]) -> Sequence[Row[Any]]:
        rows = await _execute(session, sql.fts5, params | {"phrase": phrase, "cap": TRIGRAM_CAP})
        capped = rows[0].bound is not None  # read only the first TRIGRAM_CAP matches
        hits = [row for row in rows if row.id is not None]
        if capped and len(hits) < params["needed"]:  # the business's others lie further on
            return await _execute(session, walk, params | term)
        return hits

    return run


@dataclass(frozen=True)
class _Statements:
    """The search's statements, built once per archive rule.

    Building and keying a statement costs as much as running it. Each statement takes
    business_id, found and needed (see _Tier) and the parameters noted beside it.
    """

    sku: Executable  # key
    barcode: Executable  # codes
    name_prefix: Executable  # low, high
    pinyin_prefix: Executable  # low, high: initials then full pinyin, a UNION ALL
    gram: Executable  # gram
    fts5: Executable  # phrase; SQLite
    like: Executable  # pattern; PostgreSQL
    walks: dict[tuple[str, bool], Executable]  # (position function, by gram): gram, term

    def walk(self, key: str, position: str) -> tuple[Executable, dict[str, Any]]:
        """The walk for a common term, and its parameters."""
        pieces = (key[i : i + 2] for i in range(len(key) - 1))
        piece = next((p for p in pieces if _has_content(p)), None)  # one in product_grams
        return self.walks[position, piece is not None], {"gram": piece, "term": key}


@functools.cache
def _statements(include_archived: bool) -> _Statements:
    needed = bindparam("needed", type_=Integer)
    cap = bindparam("cap", type_=Integer)

    def products(*criteria: ColumnElement[bool]) -> _Query:
        where = [
            Product.business_id == bindparam("business_id"),
            Product.id.not_in(bindparam("found", expanding=True)),
            *criteria,
        ]
        if not include_archived:
            where.append(Product.archived.is_(False))
        return select(Product.id, Product.sku, Product.name, Product.unit, Product.archived).where(
            *where
        )

    def by_id(query: _Query) -> _Query:
        return query.add_columns(Product.id.label("sort_key")).order_by(Product.id).limit(needed)

    def prefix(key: InstrumentedAttribute[str]) -> _Query:
        in_range = (key >= bindparam("low"), key < bindparam("high"))
        return (
            products(*in_range)
            .add_columns(key.label("sort_key"))
            .order_by(key, Product.id)  # the index's own order: nothing to sort
            .limit(needed)
        )

    def gram(*criteria: ColumnElement[bool]) -> _Query:
        return (
            products(ProductGram.business_id == bindparam("business_id"), *criteria)
            .add_columns(Product.id.label("sort_key"))
            .join(ProductGram, ProductGram.product_id == Product.id)
            .where(ProductGram.gram == bindparam("gram"))
            .order_by(ProductGram.product_id)  # primary key order: (business, gram, id)
            .limit(needed)
        )

    pinyin = union_all(
        *(
            select(prefix(key).add_columns(literal(part).label("part")).subquery())
            for part, key in enumerate((Product.pinyin_initials, Product.pinyin_full))
        )
    )

    # SQLite: the FTS5 table's matches in rowid (= product id) order, at most cap
    rowid = _product_search.c.rowid
    matches = literal_column("product_search").op("MATCH")(bindparam("phrase"))
    last = (  # rowid of the cap-th match, NULL when there are fewer
        select(rowid).where(matches).order_by(rowid).offset(cap - 1).limit(1)
    ).scalar_subquery()
    fts5_hits = (
        products(matches, rowid <= func.coalesce(last, _MAX_ROWID))
        .add_columns(Product.id.label("sort_key"))
        .select_from(_product_search)
        .join(Product, Product.id == rowid)
        .order_by(rowid)  # FTS5's own order: it stops after `needed` hits
        .limit(needed)
        .subquery()
    )
    bound = select(last.label("bound")).subquery()  # one row at least, to carry the bound
    fts5 = (
        select(bound.c.bound, fts5_hits)
        .select_from(bound.outerjoin(fts5_hits, true()))
        .order_by(fts5_hits.c.sort_key)
    )

    # PostgreSQL: at most cap of the business's matches, in any order, counted. The
    # pattern is written into the statement (quoted by SQLAlchemy), not bound: with the term
    # in view the planner combines the trigram index with the business's when the business
    # is small, where a generic plan would read every business's matches.
    pattern = bindparam("pattern", type_=String, literal_execute=True)
    capped = products(Product.name_key.like(pattern, escape=_LIKE_ESCAPE))
    capped_sub = capped.limit(cap).subquery()
    like = (
        select(capped_sub, capped_sub.c.id.label("sort_key"), func.count().over().label("matches"))
        .order_by(capped_sub.c.id)
        .limit(needed)
    )

    walks: dict[tuple[str, bool], Executable] = {}
    for position in ("instr", "strpos"):
        contains = getattr(func, position)(Product.name_key, bindparam("term")) > 0
        walks[position, True] = gram(contains)
        walks[position, False] = by_id(products(contains))  # only punctuation: walk the ids

    return _Statements(
        sku=by_id(products(Product.sku_key == bindparam("key"))),
        # A join, on its own: inside a UNION ALL, or as "id IN (codes' products)", SQLite
        # without statistics has been seen walking the whole business (10 ms).
        barcode=by_id(
            products(Barcode.business_id == bindparam("business_id"))
            .join(Barcode, Barcode.product_id == Product.id)
            .where(Barcode.code.in_(bindparam("codes", expanding=True)))
        ),
        name_prefix=prefix(Product.name_key),
        pinyin_prefix=pinyin,
        gram=gram(),
        fts5=fts5,
        like=like,
        walks=walks,
    )

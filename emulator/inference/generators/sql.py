"""SQL from a natural-language question: what a semantic store's NL2SQL jobs answer.

The model's generator decides, as for chat: a ``rules`` rule that matches the question (its
``reply`` is the SQL) or a ``proxy`` (a real model, asked with the schema and the question) answer
as they would in a chat; otherwise the SQL is built deterministically from the question's words
and what the store knows: its schema, and the tables and views its enrichment jobs named. Only a
SELECT is ever produced, and it is never run (as on the service).
"""

from __future__ import annotations

import re

from ...call import Call
from ..conversation import ChatInput, Turn
from ..serving import Profile, Served
from . import build, config, options_for

STOP_WORDS = frozenset(
    "a an the of in on at to for from by with and or is are was were be been what which who whom whose how many "
    "much me show list give find get all each every per there their its it that this these those do does did "
    "have has had i we you please tell number count total sum average avg mean top first last most least "
    "than over under between where when order sorted sort ascending descending".split()
)
AGGREGATES = (("how many", "COUNT(*)"), ("number of", "COUNT(*)"), ("count", "COUNT(*)"),
              ("average", "AVG({})"), ("avg", "AVG({})"), ("mean", "AVG({})"), ("total", "SUM({})"),
              ("sum", "SUM({})"), ("maximum", "MAX({})"), ("highest", "MAX({})"), ("minimum", "MIN({})"),
              ("lowest", "MIN({})"))
LIMIT = re.compile(r"\b(?:top|first)\s+(\d{1,4})\b", re.I)
FENCE = re.compile(r"```(?:sql)?\s*(.*?)```", re.S | re.I)


def sql_for(call: Call, question: str, schema: str, tables: list[str], model_id: str) -> str:
    """The SQL a model gives for ``question`` over ``schema`` (whose known tables are ``tables``)."""
    base = call.env.catalog.by_id.get(model_id)
    options = options_for(config(call), base.name) if base else {"type": "deterministic"}
    if base is not None and options["type"] != "deterministic":
        served = Served(Profile.of_base(base), base.name, base.doc["version"], "ON_DEMAND", base.id)
        known = f" Its tables: {', '.join(tables)}." if tables else ""
        chat = ChatInput(served=served, api_format="GENERIC", created=call.stamp, turns=[
            Turn("system", f"Write one Oracle SQL SELECT statement over the schema {schema}.{known} "
                           "Answer with the SQL only."),
            Turn("user", question),
        ])
        generator = build(options)
        if options["type"] != "rules" or generator.matches(chat, call):
            text = generator.complete(chat, call).generations[0].text
            fenced = FENCE.search(text)
            return (fenced.group(1) if fenced else text).strip()
    return deterministic_sql(question, schema, tables)


def deterministic_sql(question: str, schema: str, tables: list[str]) -> str:
    """A plausible SELECT: the table is the known one the question names (else its first noun),
    the columns its other words, an aggregate or a row limit when it asks for one."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", question)]
    content = [w for w in words if w not in STOP_WORDS]
    table = _table(content, tables)
    columns = [w.upper() for w in content if w.upper() != table and not _names(w, table)][:2]
    text = question.lower()
    aggregate = next((form for phrase, form in AGGREGATES if re.search(rf"\b{phrase}\b", text)), None)
    if aggregate and "{}" in aggregate:
        select = aggregate.format(columns[0] if columns else "*")
    else:
        select = aggregate or (", ".join(columns) if columns else "*")
    sql = f"SELECT {select} FROM {schema}.{table}"
    limit = LIMIT.search(question)
    if limit and not aggregate:
        sql += f" FETCH FIRST {int(limit.group(1))} ROWS ONLY"
    return sql


def _names(word: str, table: str) -> bool:
    """Whether ``word`` names ``table`` (``order`` or ``orders`` for ORDERS)."""
    return table.rstrip("S") == word.upper().rstrip("S")


def _table(content: list[str], tables: list[str]) -> str:
    for word in content:
        for table in tables:
            if _names(word, table.upper()):
                return table.upper()
    if tables:
        return tables[0].upper()
    return content[0].upper() if content else "DUAL"

"""resolve_lines: the menu's answer to an order line, on the hot path."""

from __future__ import annotations

import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.errors import NotFound
from brigade.menu.exceptions import ItemUnavailable, ModifierChoiceInvalid, VariationRequired
from brigade.menu.models import MenuItem, Modifier, Variation
from brigade.menu.pricing import LineChoice, resolve_lines
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_modifier_group, make_restaurant


async def test_resolves_price_names_station_and_modifiers(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(
        session,
        resto,
        name="The Thai Chicken Pizza",
        category="Chicken",
        station="oven",
        prices={"S": 1275, "M": 1675, "L": 2075},
    )
    mods = await make_modifier_group(
        session, resto, items=[pizza.id], modifiers={"Extra cheese": 150, "Chili": 0}
    )
    (line,) = await resolve_lines(
        session,
        resto.id,
        [
            LineChoice(
                pizza.id, pizza.variations["L"], modifier_ids=[mods["Chili"], mods["Extra cheese"]]
            )
        ],
    )
    assert line.menu_item_id == pizza.id
    assert line.variation_id == pizza.variations["L"]
    assert (line.name, line.variation_name, line.category_name, line.station) == (
        "The Thai Chicken Pizza",
        "L",
        "Chicken",
        "oven",
    )
    assert line.sku.startswith("sku-L")
    assert line.unit_price == 2075
    # menu order (modifier position), not the order the waiter tapped them
    assert line.modifiers == [
        {"id": mods["Extra cheese"], "name": "Extra cheese", "price_delta": 150, "kind": "add"},
        {"id": mods["Chili"], "name": "Chili", "price_delta": 0, "kind": "add"},
    ]
    assert line.modifiers_total == 150


async def test_single_variation_is_implied(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    soda = await make_menu_item(session, resto, prices={"Can": 300})
    (line,) = await resolve_lines(session, resto.id, [LineChoice(soda.id)])
    assert line.variation_id == soda.variations["Can"]
    assert line.unit_price == 300
    assert line.modifiers == []
    assert line.modifiers_total == 0


async def test_many_lines_cost_two_queries(session: AsyncSession, runtime: Runtime) -> None:
    resto = await make_restaurant(session)
    items = [
        await make_menu_item(session, resto, prices={"S": 1000 + i, "L": 2000 + i})
        for i in range(10)
    ]
    mods = await make_modifier_group(
        session, resto, items=[i.id for i in items], modifiers={"Olives": 50}
    )
    choices = [
        LineChoice(i.id, i.variations["S"], modifier_ids=[mods["Olives"]]) for i in items
    ] * 3
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        lines = await resolve_lines(session, resto.id, choices)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(lines) == 30
    assert [line.unit_price for line in lines[:10]] == [1000 + i for i in range(10)]
    assert all(line.modifiers_total == 50 for line in lines)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


async def test_lines_without_modifiers_cost_one_query(
    session: AsyncSession, runtime: Runtime
) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(session, resto, prices={"S": 1000, "L": 2000})
    soda = await make_menu_item(session, resto, prices={"Can": 300})
    # an optional group the waiter skipped does not need the modifiers query
    await make_modifier_group(session, resto, items=[pizza.id], modifiers={"Olives": 50})
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        lines = await resolve_lines(
            session, resto.id, [LineChoice(pizza.id, pizza.variations["L"]), LineChoice(soda.id)]
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert [(line.unit_price, line.modifiers, line.modifiers_total) for line in lines] == [
        (2000, [], 0),
        (300, [], 0),
    ]
    assert len(statements) == 1


async def test_required_group_checked_on_a_line_without_modifiers(
    session: AsyncSession,
) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(session, resto)
    soda = await make_menu_item(session, resto)
    crust = await make_modifier_group(
        session, resto, items=[pizza.id], name="Crust", modifiers={"Thin": 0}, min_choices=1
    )
    # another line choosing modifiers does not hide the pizza's missing crust
    ice = await make_modifier_group(session, resto, items=[soda.id], modifiers={"Ice": 0})
    with pytest.raises(ModifierChoiceInvalid, match="Crust"):
        await resolve_lines(
            session,
            resto.id,
            [LineChoice(soda.id, modifier_ids=[ice["Ice"]]), LineChoice(pizza.id)],
        )
    first, second = await resolve_lines(
        session,
        resto.id,
        [LineChoice(soda.id), LineChoice(pizza.id, modifier_ids=[crust["Thin"]])],
    )
    assert (first.modifiers, [m["name"] for m in second.modifiers]) == ([], ["Thin"])


async def test_unknown_or_foreign_item_is_not_found(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    other = await make_restaurant(session)
    foreign = await make_menu_item(session, other)
    with pytest.raises(NotFound):
        await resolve_lines(session, resto.id, [LineChoice(foreign.id)])
    with pytest.raises(NotFound):
        await resolve_lines(session, resto.id, [LineChoice(999_999)])


async def test_variation_of_another_item_is_not_found(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    a = await make_menu_item(session, resto)
    b = await make_menu_item(session, resto)
    with pytest.raises(NotFound):
        await resolve_lines(session, resto.id, [LineChoice(a.id, b.variations["M"])])


async def test_variation_required_when_several(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(session, resto, prices={"S": 1000, "L": 2000})
    with pytest.raises(VariationRequired) as info:
        await resolve_lines(session, resto.id, [LineChoice(pizza.id)])
    assert info.value.status == 422


async def test_86d_item_variation_or_modifier_is_unavailable(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(session, resto, prices={"S": 1000, "L": 2000})
    mods = await make_modifier_group(session, resto, items=[pizza.id], modifiers={"Ham": 100})
    await session.execute(
        update(Modifier).where(Modifier.id == mods["Ham"]).values(is_available=False)
    )
    with pytest.raises(ItemUnavailable):
        await resolve_lines(
            session, resto.id, [LineChoice(pizza.id, pizza.variations["S"], [mods["Ham"]])]
        )
    await session.execute(
        update(Variation).where(Variation.id == pizza.variations["L"]).values(is_available=False)
    )
    with pytest.raises(ItemUnavailable):
        await resolve_lines(session, resto.id, [LineChoice(pizza.id, pizza.variations["L"])])
    # the small is still on
    (line,) = await resolve_lines(session, resto.id, [LineChoice(pizza.id, pizza.variations["S"])])
    assert line.unit_price == 1000
    await session.execute(
        update(MenuItem).where(MenuItem.id == pizza.id).values(is_available=False)
    )
    with pytest.raises(ItemUnavailable) as info:
        await resolve_lines(session, resto.id, [LineChoice(pizza.id, pizza.variations["S"])])
    assert info.value.status == 409
    assert info.value.type == "item-unavailable"


async def test_item_without_variation_is_unavailable(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    bare = await make_menu_item(session, resto, prices={})
    with pytest.raises(ItemUnavailable):
        await resolve_lines(session, resto.id, [LineChoice(bare.id)])


async def test_modifier_group_min_and_max(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(session, resto)
    crust = await make_modifier_group(
        session,
        resto,
        items=[pizza.id],
        name="Crust",
        modifiers={"Thin": 0, "Thick": 0},
        min_choices=1,
        max_choices=1,
    )
    with pytest.raises(ModifierChoiceInvalid, match="Crust"):
        await resolve_lines(session, resto.id, [LineChoice(pizza.id)])
    with pytest.raises(ModifierChoiceInvalid, match="Crust"):
        await resolve_lines(
            session, resto.id, [LineChoice(pizza.id, modifier_ids=list(crust.values()))]
        )
    with pytest.raises(ModifierChoiceInvalid, match="more than once"):
        await resolve_lines(
            session, resto.id, [LineChoice(pizza.id, modifier_ids=[crust["Thin"]] * 2)]
        )
    (line,) = await resolve_lines(
        session, resto.id, [LineChoice(pizza.id, modifier_ids=[crust["Thick"]])]
    )
    assert [m["name"] for m in line.modifiers] == ["Thick"]


async def test_modifier_not_offered_vs_unknown(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    pizza = await make_menu_item(session, resto)
    soda = await make_menu_item(session, resto)
    ice = await make_modifier_group(session, resto, items=[soda.id], modifiers={"Ice": 0})
    with pytest.raises(ModifierChoiceInvalid, match="does not offer"):
        await resolve_lines(session, resto.id, [LineChoice(pizza.id, modifier_ids=[ice["Ice"]])])
    with pytest.raises(NotFound):
        await resolve_lines(session, resto.id, [LineChoice(pizza.id, modifier_ids=[999_999])])


async def test_no_choices_no_query(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    assert await resolve_lines(session, resto.id, []) == []

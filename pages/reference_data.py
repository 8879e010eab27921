"""Groups, benchmarks and cycles (administrators): the race/ethnicity groups and their roll-ups,
each group's share of the benchmark populations, and the reporting cycles with their due dates.
Every change goes through ``equity_tracking.reference_admin``, which checks the permission,
validates on the server and keeps each record's history; this page only shows the answers."""

import streamlit as st

from equity_tracking import formatting, ui
from equity_tracking import reference_admin as admin
from equity_tracking.charts import reference_data as tables

ctx = ui.guard("reference_data")
st.title("Groups, benchmarks and cycles")
st.markdown(
    "The reference data every bureau reports against. Nothing here is deleted: a group or a benchmark "
    "population is archived, and keeps its figures and its history."
)


def _history(entity: str, entity_id: object, key: str) -> None:
    ui.history_section(
        lambda: tables.history_table(
            admin.history(ctx.engine, actor=ctx.principal, entity=entity, entity_id=entity_id)
        ),
        key=key,
    )


groups_tab, benchmarks_tab, cycles_tab = st.tabs(
    ["Groups and roll-ups", "Benchmark populations", "Reporting cycles"]
)

# --- groups and roll-ups ----------------------------------------------------------------------------
with groups_tab:
    groups = admin.groups(ctx.engine)
    ui.table(tables.groups_table(groups), key="groups", phone_title="Name")
    names = dict(zip(groups["id"], groups["name"], strict=True))
    base = groups[~groups["is_rollup"] & ~groups["is_unknown"] & groups["active"]]
    if not groups.empty:
        st.subheader("Change a group")
        ui.show_flash("group")
        chosen = int(st.selectbox("Group", list(names), format_func=names.get, key="pick-group"))
        row = groups.set_index("id").loc[chosen]
        ui.show_flash(f"rename-{chosen}")
        errors = ui.form_errors(f"rename-{chosen}")
        with st.form(f"rename-{chosen}"):
            new_name = st.text_input("Name", value=row["name"], max_chars=120)
            ui.field_error(errors, "name")
            if st.form_submit_button("Save name"):
                ui.save_form(
                    ctx,
                    f"rename-{chosen}",
                    lambda: admin.rename_group(
                        ctx.engine, actor=ctx.principal, group_id=chosen, name=new_name
                    ),
                    "Renamed.",
                )
        if bool(row["is_rollup"]):
            ui.show_flash(f"members-{chosen}")
            errors = ui.form_errors(f"members-{chosen}")
            with st.form(f"members-{chosen}"):
                picked = st.multiselect(
                    "Groups it adds up",
                    list(base["id"]),
                    default=[member for member in row["member_ids"] if member in set(base["id"])],
                    format_func=names.get,
                )
                ui.field_error(errors, "members")
                if st.form_submit_button("Save members"):
                    ui.save_form(
                        ctx,
                        f"members-{chosen}",
                        lambda: admin.set_rollup_members(
                            ctx.engine, actor=ctx.principal, rollup_id=chosen, member_ids=picked
                        ),
                        "The roll-up's members are saved.",
                    )
        order = list(groups["id"])
        place = order.index(chosen)
        up, down, archive = st.columns(3)
        for column, label, target in ((up, "Move up", place - 1), (down, "Move down", place + 1)):
            with column:
                if st.button(label, key=f"{label}-{chosen}", disabled=not 0 <= target < len(order)):
                    order[place], order[target] = order[target], order[place]
                    ui.save_form(
                        ctx,
                        "group",
                        lambda: admin.reorder_groups(ctx.engine, actor=ctx.principal, group_ids=order),
                        "Moved.",
                    )
        with archive:
            active = bool(row["active"])
            if st.button("Archive" if active else "Restore", key=f"archive-group-{chosen}"):
                ui.save_form(
                    ctx,
                    "group",
                    lambda: admin.set_group_active(
                        ctx.engine, actor=ctx.principal, group_id=chosen, active=not active
                    ),
                    "Archived." if active else "Restored.",
                )
        _history(admin.GROUP_ENTITY, chosen, f"group-{chosen}")

    with ui.section("Add a group", key="section-add-group"):
        ui.show_flash("add-group")
        errors = ui.form_errors("add-group")
        with st.form("add-group"):
            key = st.text_input("Key (lower-case, e.g. somali)", max_chars=40)
            ui.field_error(errors, "key")
            name = st.text_input("Name", max_chars=120)
            ui.field_error(errors, "name")
            sort_order = st.number_input("Position in lists", min_value=0, step=1, value=len(groups) + 1)
            ui.field_error(errors, "sort_order")
            unknown = st.checkbox("Records that race/ethnicity is not known (e.g. declined)")
            if st.form_submit_button("Add group"):
                ui.save_form(
                    ctx,
                    "add-group",
                    lambda: admin.create_group(
                        ctx.engine,
                        actor=ctx.principal,
                        key=key,
                        name=name,
                        sort_order=sort_order,
                        is_unknown=unknown,
                    ),
                    f"Added {name}.",
                )

    with ui.section("Add a roll-up", key="section-add-rollup"):
        ui.show_flash("add-rollup")
        errors = ui.form_errors("add-rollup")
        with st.form("add-rollup"):
            st.markdown("A roll-up adds up two or more groups, e.g. people of color.")
            key = st.text_input("Key (lower-case, e.g. bipoc)", max_chars=40)
            ui.field_error(errors, "key")
            name = st.text_input("Name", max_chars=120)
            ui.field_error(errors, "name")
            sort_order = st.number_input("Position in lists", min_value=0, step=1, value=len(groups) + 1)
            ui.field_error(errors, "sort_order")
            members = st.multiselect("Groups it adds up", list(base["id"]), format_func=names.get)
            ui.field_error(errors, "members")
            if st.form_submit_button("Add roll-up"):
                ui.save_form(
                    ctx,
                    "add-rollup",
                    lambda: admin.create_rollup(
                        ctx.engine,
                        actor=ctx.principal,
                        key=key,
                        name=name,
                        sort_order=sort_order,
                        member_ids=members,
                    ),
                    f"Added {name}.",
                )

# --- benchmark populations --------------------------------------------------------------------------
with benchmarks_tab:
    populations = admin.benchmarks(ctx.engine, actor=ctx.principal, include_archived=True)
    st.markdown(
        "Each group's share of a population to compare with, such as the city's residents in one year "
        "of the American Community Survey. Shares are fractions from 0 to 1 and add up to at most 1."
    )
    if not populations.empty:
        ui.table(tables.benchmarks_table(populations), key="benchmarks", phone_title="Name")
        labels = tables.benchmark_labels(populations)
        chosen_population = int(
            st.selectbox("Benchmark population", list(labels), format_func=labels.get, key="pick-benchmark")
        )
        population = populations.set_index("id").loc[chosen_population]
        shares = admin.benchmark_shares(ctx.engine, actor=ctx.principal, include_archived=True)
        shares = shares[shares["benchmark_id"] == chosen_population]
        if shares.empty:
            st.info("No shares are entered for this population yet.", icon=":material/info:")
        else:
            ui.chart(
                tables.shares_chart(
                    shares,
                    benchmark=str(population["name"]),
                    year=population["year"],
                    source=population["source"],
                ),
                table=tables.shares_table(shares),
                alt=tables.shares_alt(shares),
                key=f"shares-{chosen_population}",
                file_name=f"benchmark-{population['key']}.csv",
                data=shares[["group", "share"]],
            )
        form = f"benchmark-{chosen_population}"
        ui.show_flash(form)
        errors = ui.form_errors(form)
        with st.form(form):
            new_name = st.text_input("Name", value=population["name"], max_chars=200)
            ui.field_error(errors, "name")
            source = st.text_input("Source", value=population["source"] or "", max_chars=300)
            ui.field_error(errors, "source")
            year = st.text_input("Year of the figures", value=tables.year_text(population["year"], blank=""))
            ui.field_error(errors, "year")
            if st.form_submit_button("Save details"):
                ui.save_form(
                    ctx,
                    form,
                    lambda: admin.edit_benchmark(
                        ctx.engine,
                        actor=ctx.principal,
                        benchmark_id=chosen_population,
                        name=new_name,
                        source=source,
                        year=year,
                    ),
                    "Saved.",
                )
        form = f"shares-{chosen_population}"
        ui.show_flash(form)
        errors = ui.form_errors(form)
        given = dict(zip(shares["group_id"], shares["share"], strict=True))
        with st.form(form):
            st.markdown(
                "Shares as fractions (0.082 is 8.2 %). Leave a group blank if its share is not known."
            )
            typed = {}
            # Active base groups, and any archived one that still has a share here.
            shown = groups[~groups["is_rollup"] & (groups["active"] | groups["id"].isin(list(given)))]
            for group_id, group_name in zip(shown["id"], shown["name"], strict=True):
                typed[int(group_id)] = st.text_input(
                    f"{group_name} share", value=f"{given[group_id]:g}" if group_id in given else ""
                )
                ui.field_error(errors, f"share.{group_id}")
            ui.field_error(errors, "shares")
            if st.form_submit_button("Save shares"):
                ui.save_form(
                    ctx,
                    form,
                    lambda: admin.set_benchmark_shares(
                        ctx.engine, actor=ctx.principal, benchmark_id=chosen_population, shares=typed
                    ),
                    "Shares saved.",
                )
        archived = bool(population["archived"])
        if st.button("Restore" if archived else "Archive", key=f"archive-benchmark-{chosen_population}"):
            ui.save_form(
                ctx,
                form,
                lambda: admin.set_benchmark_archived(
                    ctx.engine, actor=ctx.principal, benchmark_id=chosen_population, archived=not archived
                ),
                "Restored." if archived else "Archived.",
            )
        _history(admin.BENCHMARK_ENTITY, chosen_population, f"benchmark-{chosen_population}")

    with ui.section("Add a benchmark population", key="section-add-benchmark"):
        ui.show_flash("add-benchmark")
        errors = ui.form_errors("add-benchmark")
        with st.form("add-benchmark"):
            key = st.text_input("Key (lower-case, e.g. acs_2021)", max_chars=40)
            ui.field_error(errors, "key")
            name = st.text_input("Name, e.g. City of Portland residents", max_chars=200)
            ui.field_error(errors, "name")
            source = st.text_input("Source, e.g. American Community Survey 5-year estimates", max_chars=300)
            ui.field_error(errors, "source")
            year = st.text_input("Year of the figures")
            ui.field_error(errors, "year")
            if st.form_submit_button("Add benchmark population"):
                ui.save_form(
                    ctx,
                    "add-benchmark",
                    lambda: admin.create_benchmark(
                        ctx.engine, actor=ctx.principal, key=key, name=name, source=source, year=year
                    ),
                    f"Added {name}; enter its shares next.",
                )

# --- reporting cycles -------------------------------------------------------------------------------
with cycles_tab:
    cycles = admin.cycles(ctx.engine)
    st.markdown(
        "Bureaus report on each fiscal year from the day its cycle opens, and are due by its due date."
    )
    if not cycles.empty:
        ui.table(tables.cycles_table(cycles), key="cycles")
        cycle_labels = dict(zip(cycles["fiscal_year"], cycles["label"], strict=True))
        fiscal_year = int(
            st.selectbox(
                "Reporting cycle", list(cycle_labels), format_func=cycle_labels.get, key="pick-cycle"
            )
        )
        cycle = cycles.set_index("fiscal_year").loc[fiscal_year]
        form = f"cycle-{fiscal_year}"
        ui.show_flash(form)
        errors = ui.form_errors(form)
        with st.form(form):
            opens_on = st.date_input("Opens on", value=cycle["opens_on"], format="YYYY-MM-DD")
            ui.field_error(errors, "opens_on")
            due_on = st.date_input("Due on", value=cycle["due_on"], format="YYYY-MM-DD")
            ui.field_error(errors, "due_on")
            if st.form_submit_button("Save dates"):
                ui.save_form(
                    ctx,
                    form,
                    lambda: admin.change_cycle_dates(
                        ctx.engine,
                        actor=ctx.principal,
                        fiscal_year=fiscal_year,
                        opens_on=opens_on,
                        due_on=due_on,
                    ),
                    f"The {cycle_labels[fiscal_year]} cycle is now due on {formatting.date_text(due_on)}.",
                )
        _history(admin.CYCLE_ENTITY, fiscal_year, f"cycle-{fiscal_year}")

    with ui.section("Add a reporting cycle", key="section-add-cycle"):
        ui.show_flash("add-cycle")
        errors = ui.form_errors("add-cycle")
        next_year = int(cycles["fiscal_year"].max()) + 1 if not cycles.empty else 2016
        with st.form("add-cycle"):
            new_year = st.number_input(
                "Fiscal year (the year it starts: 2021 is FY 2021-22)", step=1, value=next_year
            )
            ui.field_error(errors, "fiscal_year")
            new_opens = st.date_input("Opens on", value=None, format="YYYY-MM-DD", key="add-cycle-opens")
            ui.field_error(errors, "opens_on")
            new_due = st.date_input("Due on", value=None, format="YYYY-MM-DD", key="add-cycle-due")
            ui.field_error(errors, "due_on")
            if st.form_submit_button("Add cycle"):
                ui.save_form(
                    ctx,
                    "add-cycle",
                    lambda: admin.create_cycle(
                        ctx.engine,
                        actor=ctx.principal,
                        fiscal_year=new_year,
                        opens_on=new_opens,
                        due_on=new_due,
                    ),
                    "Added the reporting cycle.",
                )

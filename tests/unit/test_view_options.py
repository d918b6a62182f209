"""callbacks.view_options: the dendrogram's controls checked once into the view-options
store, and the callbacks that read it; and which callbacks load data, on what."""

import math

import pytest
from dash import no_update

from callbacks.data import (
    column_choices,
    load_choice,
    load_generated,
    load_sample,
    read_large_upload,
    receive_upload,
    show_source_options,
)
from callbacks.recolour import publish_recolour_index
from callbacks.shown import dendrogram_options
from callbacks.view_options import checked, store_view_options, view_options
from callbacks.views import update_views
from components.layout import serve_layout
from components.view_options import FIRST_VIEW_OPTIONS
from hclust.data import DEFAULT_PRESET
from hclust.errors import InputError
from tests.helpers import (
    cluster,
    draw_views,
    move_cut,
    new_session,
    options_store,
    page_context,
    put_preset,
    wiring,
)

CONTROLS = dict(
    truncate_mode="level",
    p=12,
    flags=["contracted", "snap"],
    annotate_above=5,
    orientation="left",
    leaf_label_style="12:0",
)
# The controls' ids, by view_options' parameter names.
CONTROL_IDS = dict(
    truncate_mode="truncate-mode",
    p="truncate-p",
    flags="dendrogram-flags",
    annotate_above="annotate-above",
    orientation="orientation",
    leaf_label_style="leaf-label-style",
)


def layout_components():
    """The page's components as the layout first gives them, by id."""
    found = {}

    def walk(component):
        if isinstance(component, (list, tuple)):
            for child in component:
                walk(child)
            return
        if isinstance(getattr(component, "id", None), str):
            found[component.id] = component
        children = getattr(component, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(serve_layout())
    return found


def layout_values():
    """Each component's first value (a store's data), by id."""
    return {
        id_: getattr(c, "value", getattr(c, "data", None)) for id_, c in layout_components().items()
    }


def layout_styles():
    """Each component's first style ({} when it has none), by id."""
    return {id_: getattr(c, "style", None) or {} for id_, c in layout_components().items()}


class TestViewOptions:
    def test_good_values_give_what_dendrogram_options_gives(self):
        # the same dict, so a caller of dendrogram_options can read the store instead
        assert view_options(**CONTROLS) == dendrogram_options(*CONTROLS.values())
        assert view_options(**CONTROLS) == {
            "truncate_mode": "level",
            "p": 12,
            "show_contracted": True,
            "annotate_above": 5.0,
            "orientation": "left",
            "leaf_font_size": 12,
            "leaf_rotation": 0,
        }

    def test_annotate_above_may_be_empty(self):
        assert view_options(**dict(CONTROLS, annotate_above=None))["annotate_above"] is None

    def test_no_flags(self):
        assert view_options(**dict(CONTROLS, flags=None))["show_contracted"] is False
        assert view_options(**dict(CONTROLS, flags=["snap"]))["show_contracted"] is False

    @pytest.mark.parametrize(
        "name,value,control",
        [
            ("truncate_mode", "everything", "Truncation"),
            ("truncate_mode", 3, "Truncation"),
            ("truncate_mode", None, "Truncation"),
            ("p", 1, "Truncation's p"),
            ("p", 2001, "Truncation's p"),
            ("p", 2.5, "Truncation's p"),
            ("p", "30", "Truncation's p"),
            ("p", None, "Truncation's p"),
            ("p", math.nan, "Truncation's p"),
            ("flags", "contracted", "The dendrogram options"),
            ("flags", ["contracted", "bogus"], "Each dendrogram option"),
            ("annotate_above", -1, "Annotate above"),
            ("annotate_above", "10", "Annotate above"),
            ("annotate_above", math.nan, "Annotate above"),
            ("annotate_above", math.inf, "Annotate above"),
            ("orientation", "sideways", "Orientation"),
            ("orientation", None, "Orientation"),
            ("leaf_label_style", "huge", "Leaf labels"),
            ("leaf_label_style", "9:-90:1", "Leaf labels"),
            ("leaf_label_style", 12, "Leaf labels"),
        ],
    )
    def test_a_bad_value_is_refused_naming_its_control(self, name, value, control):
        with pytest.raises(InputError, match=f"^{control}"):
            view_options(**dict(CONTROLS, **{name: value}))


class TestStoreViewOptions:
    def test_writes_the_checked_options(self):
        assert store_view_options(*CONTROLS.values()) == view_options(**CONTROLS)

    def test_a_bad_value_keeps_the_store_and_says_why_under_the_plots(self):
        with page_context() as sent:
            answer = store_view_options(*dict(CONTROLS, p=1).values())
        assert answer is no_update
        message = sent["view-status"]["children"]
        assert message.startswith("⚠ Truncation's p must be a whole number from 2 to 2,000")
        assert message.endswith("The dendrogram keeps the options it was drawn with.")

    def test_not_at_page_load_and_on_the_six_controls_only(self):
        wired = wiring(store_view_options)
        assert wired["prevent_initial_call"]
        assert wired["inputs"] == [f"{CONTROL_IDS[name]}.value" for name in CONTROLS]
        assert wired["outputs"] == ["view-options.data"]

    def test_the_layout_starts_the_store_as_its_controls_give_it(self):
        """No request fills the store at page load, so its first data must be the controls'."""
        values = layout_values()
        controls = {name: values[id_] for name, id_ in CONTROL_IDS.items()}
        assert values["view-options"] == FIRST_VIEW_OPTIONS == view_options(**controls)


class TestChecked:
    def test_a_store_written_by_the_callback_passes(self):
        options = view_options(**CONTROLS)
        assert checked(options) == options
        assert checked(FIRST_VIEW_OPTIONS) == FIRST_VIEW_OPTIONS

    @pytest.mark.parametrize(
        "change,named",
        [
            ({"p": "60"}, "p"),
            ({"p": 1}, "p"),
            ({"truncate_mode": "all"}, "truncation"),
            ({"show_contracted": "yes"}, "contracted dots"),
            ({"annotate_above": -2}, "annotation"),
            ({"orientation": "up"}, "orientation"),
            ({"leaf_font_size": 40}, "leaf labels"),
        ],
    )
    def test_a_tampered_store_is_refused_naming_it(self, change, named):
        with pytest.raises(InputError, match=named):
            checked(dict(FIRST_VIEW_OPTIONS, **change))

    @pytest.mark.parametrize("store", [None, [], "top", {"p": 60}])
    def test_not_a_store(self, store):
        with pytest.raises(InputError, match="The view options"):
            checked(store)


class TestReaders:
    def test_update_views_reads_the_store_not_the_controls(self):
        inputs = wiring(update_views)["inputs"]
        assert "view-options.data" in inputs
        assert not {f"{id_}.value" for id_ in CONTROL_IDS.values()} & set(inputs)
        assert inputs == [
            "cut.data",
            "highlight.data",
            "scatter-x.value",
            "scatter-y.value",
            "focus.data",
            "view-options.data",
            "merge-pins.data",
        ]

    def test_update_views_refuses_a_tampered_store_in_its_status(self):
        session_id = new_session()
        version = put_preset(session_id)
        summary, _, _ = cluster(session_id, version)
        cut = move_cut(dict(id=session_id, clustering=summary, cut=None), "clustering.data")["cut"]
        outputs = draw_views(session_id, cut, view_options=dict(FIRST_VIEW_OPTIONS, p="60"))
        assert outputs[:3] == (no_update,) * 3 and "view options' p" in outputs[3]
        drawn = draw_views(session_id, cut, view_options=options_store(orientation="left"))
        assert drawn[0].layout.meta["geometry"].endswith("left")

    def test_the_recolour_index_reads_the_store(self):
        inputs = wiring(publish_recolour_index)["inputs"]
        assert "view-options.data" in inputs
        assert not {"truncate-mode.value", "truncate-p.value", "orientation.value"} & set(inputs)


class TestWhoLoadsData:
    """One callback per way of loading; only one of them runs at page load."""

    def loaders(self):
        return [load_choice, load_generated, load_sample]

    def test_each_intent_is_triggered_by_its_own_events(self):
        assert wiring(load_generated)["inputs"] == ["generate.n_clicks"]
        assert wiring(load_sample)["inputs"] == ["use-sample.n_clicks"]
        assert wiring(load_choice)["inputs"] == [
            "dataset.value",
            "feature-columns.value",
            "label-column.value",
            "as-distance-matrix.value",
            "scaling.value",
            "missing-values.value",
            "table-version.data",
        ]
        assert wiring(receive_upload)["inputs"] == ["upload-data.contents"]
        assert wiring(read_large_upload)["inputs"] == ["upload-job.data"]

    def test_every_loader_answers_the_same_outputs(self):
        outputs = [wiring(f)["outputs"] for f in self.loaders()]
        assert outputs[0][:7] == outputs[1] == outputs[2]
        assert outputs[0][:2] == ["data-version.data", "data-status.children"]
        assert outputs[0][6] == "optimal-order.options"  # for the data's size
        # a choice of data comes with its column menus and scaling (no request of their own)
        assert outputs[0][7:] == [
            "feature-columns.options",
            "feature-columns.value",
            "label-column.options",
            "label-column.value",
            "scaling.value",
        ]

    def test_one_loader_loads_the_first_dataset_and_the_server_plays_it(self):
        # no loader fires in the browser at load: the server plays load_choice into the
        # layout (callbacks/first_view.py), the one loader Dash fired at load before
        assert not [f for f in self.loaders() if not wiring(f)["prevent_initial_call"]]
        from app import FIRST_VIEW

        played = [
            w for w in FIRST_VIEW.callbacks if w.fires_at_load and w.function in self.loaders()
        ]
        assert [w.function for w in played] == [load_choice]
        # the columns of a choice come with its load (no callback of their own): for the
        # first dataset there is nothing to choose, as the layout's empty menus say
        assert not [w for w in FIRST_VIEW.callbacks if w.function is column_choices]
        values = layout_values()
        assert not values["feature-columns"] and not values["label-column"]
        assert values["dataset"] == DEFAULT_PRESET
        numeric, features, labels, label, _ = column_choices(DEFAULT_PRESET, None, new_session())
        assert (numeric, features, labels, label) == ([], [], [], None)

    def test_the_layout_shows_the_first_datasets_options_without_a_request(self):
        from app import app
        from callbacks.first_view import registered

        # the browser answers a change of source (assets/answered_here.js sourceOptionStyles,
        # under Node in tests/js/answered_here.test.js); the layout shows the first one's
        [shows] = [w for w in registered(app) if "upload-options.style" in w.outputs]
        assert shows.in_browser and not shows.fires_at_load
        assert shows.inputs == ("dataset.value",)
        ids = ("upload-options", "generator-options", "gen-blobs-field", "gen-shape-fields")
        styles = layout_styles()
        assert tuple(styles[id_] for id_ in ids) == show_source_options(DEFAULT_PRESET)

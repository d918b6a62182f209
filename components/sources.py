"""The dataset menu: every source the page offers, built from the core's own lists."""

from hclust.data import PRESETS
from hclust.datasets import BUNDLED
from hclust.generators import GENERATOR_MENU

# The menu's value for the session's uploaded file.
UPLOAD = "upload"


def dataset_options(has_upload=False, upload_name=None):
    """Every source the dataset menu offers."""
    options = [{"label": label, "value": key} for key, label in PRESETS.items()]
    options += [
        {"label": f"Bundled: {entry.title}", "value": f"bundled:{key}"}
        for key, entry in BUNDLED.items()
    ]
    options += [
        {"label": f"Generate: {label}", "value": f"generate:{kind}"}
        for kind, label in GENERATOR_MENU.items()
    ]
    if has_upload:
        options.append({"label": f"Uploaded: {upload_name}", "value": UPLOAD})
    return options

"""A real CJK font for tests: Noto Sans CJK SC from the mplfonts test dependency."""

import importlib.util
from pathlib import Path


def noto_cjk() -> Path:
    """The font file (mplfonts is installed with the test extras, so this never skips).

    Only the file is used: importing mplfonts would touch matplotlib's global font setup.
    """
    spec = importlib.util.find_spec("mplfonts")
    assert spec is not None and spec.submodule_search_locations, "pip install -e '.[test]'"
    path = (
        Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NotoSansCJKsc-Regular.otf"
    )
    assert path.is_file(), path
    return path

"""What two runs of the same inputs in two folders must share: every file's bytes, except the run folder's own name,
which the report's title and its payload carry (`dvats.views.page.run_names`)."""
from pathlib import Path


def run_bytes(path: Path) -> bytes:
    "The bytes of `path` in its run folder, the folder's name in the report written as RUN."
    data, name = Path(path).read_bytes(), Path(path).parent.name
    if Path(path).name != 'report.html': return data
    return data.replace(f'· run {name}'.encode(), '· run RUN'.encode(), 1).replace(
        f'"run":"{name}"'.encode(), b'"run":"RUN"', 1)

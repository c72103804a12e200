"""The harness's RESULT lines (`RESULT key=value ...`) as dicts, for cost.py and ratios.py."""


def ok_results(path, since=None):
    """Each RESULT line with status=ok, as a dict; with `since`, only those after the last line starting with it."""
    lines = open(path).read().splitlines()
    if since is not None:
        starts = [i for i, line in enumerate(lines) if line.startswith(since)]
        lines = lines[starts[-1]:] if starts else lines
    for line in lines:
        if not line.startswith("RESULT "):
            continue
        kv = dict(x.split("=", 1) for x in line.split()[1:] if "=" in x)
        if kv.get("status") == "ok":
            yield kv

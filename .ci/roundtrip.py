"""Reads every YAML template with cfn-lint's own loader (YAML 1.1, as CloudFormation reads
it) and checks it means exactly what the JSON rendering of the same output says."""
import json
import pathlib
import sys

from cfnlint.decode import cfn_yaml


def unkeyed(s):
    """Product and portfolio keys and version notes name each format's bytes; compare
    without them."""
    if s.startswith("template sha256 "):
        return "template sha256"
    j = s.find("portfolio/")
    if j >= 0:
        return s[: j + len("portfolio/")]
    i = s.find("products/")
    if i < 0:
        return s
    name = s[i + len("products/"):].split("/")[0]
    return s[:i] + "products/" + name


def same(a, b, where):
    if isinstance(b, dict):
        if not isinstance(a, dict) or set(map(str, a)) != set(b):
            return f"{where}: keys differ"
        for k in b:
            why = same(a[k], b[k], f"{where}.{k}")
            if why:
                return why
        return None
    if isinstance(b, list):
        if not isinstance(a, list) or len(a) != len(b):
            return f"{where}: list differs"
        for i, (x, y) in enumerate(zip(a, b)):
            why = same(x, y, f"{where}[{i}]")
            if why:
                return why
        return None
    if type(b) is str and isinstance(a, str) and unkeyed(str(a)) == unkeyed(b):
        return None
    if type(a) is type(b) and a == b:
        return None
    return f"{where}: YAML reads {a!r} ({type(a).__name__}), JSON says {b!r}"


yaml_dir, json_dir = map(pathlib.Path, sys.argv[1:3])
failures = 0
for y in sorted(yaml_dir.rglob("*.yaml")):
    j = json_dir / y.relative_to(yaml_dir).with_suffix(".json")
    why = same(cfn_yaml.load(str(y)), json.loads(j.read_text()), y.name)
    if why:
        print(why)
        failures += 1
sys.exit(1 if failures else 0)

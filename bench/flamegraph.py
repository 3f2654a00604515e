#!/usr/bin/env python3
"""bench/flamegraph.py TITLE < perf-script-output > flame.svg

Folds the call stacks of `perf script` (each sample: a header line, then one frame per line, leaf
first, then a blank line) and draws them as a flame graph: one box per frame, as wide as its share
of the samples, callers below callees. Frames under 0.3 % of the samples are left out. Pipe the
samples through `swift demangle --simplified` first for readable Swift names.
"""
import html
import sys

WIDTH, ROW, MINIMUM = 1600, 16, 0.003


def stacks(lines):
    frames = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                yield tuple(reversed(frames))
            frames = []
        elif line.startswith((" ", "\t")):
            parts = line.strip().split(" ", 1)
            name = parts[1] if len(parts) > 1 else parts[0]
            name = name.rsplit(" (", 1)[0]  # drop the "(binary)" suffix
            name = name.split("+0x")[0]
            frames.append(name)
    if frames:
        yield tuple(reversed(frames))


def tree(all_stacks):
    root = {"count": 0, "children": {}}
    for stack in all_stacks:
        node = root
        node["count"] += 1
        for frame in stack:
            child = node["children"].get(frame)
            if child is None:
                child = {"count": 0, "children": {}}
                node["children"][frame] = child
            child["count"] += 1
            node = child
    return root


def draw(node, name, x, depth, total, out, height):
    width = node["count"] / total * WIDTH
    if node["count"] / total < MINIMUM:
        return
    y = height - (depth + 1) * ROW
    hue = 20 + (hash(name) % 40)
    label = html.escape(name if len(name) * 6.5 < width else name[: max(0, int(width / 6.5) - 2)] + "..")
    share = node["count"] / total * 100
    out.append(f'<g><title>{html.escape(name)} ({share:.1f} %)</title>'
               f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" fill="hsl({hue},80%,60%)"/>'
               f'<text x="{x + 2:.1f}" y="{y + ROW - 4}">{label if width > 20 else ""}</text></g>')
    for child_name, child in sorted(node["children"].items(), key=lambda item: -item[1]["count"]):
        draw(child, child_name, x, depth + 1, total, out, height)
        x += child["count"] / total * WIDTH


def depth_of(node):
    return 1 + max((depth_of(child) for child in node["children"].values()), default=0)


def main():
    title = sys.argv[1] if len(sys.argv) > 1 else "flame graph"
    root = tree(stacks(sys.stdin))
    total = max(root["count"], 1)
    height = (depth_of(root) + 2) * ROW
    out = []
    draw(root, "all", 0, 0, total, out, height - ROW)
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
          f'font-family="monospace" font-size="11">')
    print(f'<text x="4" y="{ROW - 3}">{html.escape(title)}: {total} samples; hover a box for its name and share</text>')
    print("\n".join(out))
    print("</svg>")


if __name__ == "__main__":
    main()

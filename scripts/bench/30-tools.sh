#!/usr/bin/env bash
# Tools (issue 5): grep and find over a generated tree of 20,000 files and 200 MB, as ratios against bare rg and
# GNU grep, and fdfind and GNU find, measured in the same run; read of the last page of a 100 MB file; peak memory
# of bash printing 50 MB. The targets are judged on the figures of bench-tools, the tools called in process as the
# worker calls them; tools.cli.* are the same calls through `agent-worker tool` (process start included), and the
# memory figure runs `agent-worker tool bash` itself.
# The data is generated under var/bench/tools/ once and reused. Needs hyperfine, rg, fdfind, python3, bubblewrap.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${AGENT_BIN_DIR:?set AGENT_BIN_DIR to the release build folder (make bench does)}"
worker="$AGENT_BIN_DIR/agent-worker"
data="$PWD/var/bench/tools"
tree="$data/tree"
reading="$data/reading"
mkdir -p "$data/home"

if [ ! -f "$tree/.complete" ]; then
    echo "generating $tree (20,000 files, 200 MB) ..." >&2
    rm -rf "$tree"
    python3 - "$tree" <<'PY'
import os, random, sys
root = sys.argv[1]
random.seed(5)
words = ["".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(2, 9))) for _ in range(4000)]
pool = [" ".join(random.choice(words) for _ in range(random.randint(6, 12))) + "\n" for _ in range(20000)]
extensions = ["swift", "md", "txt", "json"]
for folder in range(200):
    path = os.path.join(root, "d%03d" % folder, "s%d" % (folder % 7))
    os.makedirs(path, exist_ok=True)
    for index in range(100):
        lines, size = [], 0
        while size < 10000:
            line = random.choice(pool)
            lines.append(line)
            size += len(line)
        if random.random() < 0.025:
            lines.insert(random.randrange(len(lines)), "needle_%d found here\n" % random.randrange(10**6))
        name = "f%d.%s" % (index, extensions[index % 4])
        with open(os.path.join(path, name), "w") as handle:
            handle.write("".join(lines))
PY
    touch "$tree/.complete"
fi
if [ ! -f "$reading/big.txt" ]; then
    mkdir -p "$reading"
    python3 - "$reading/big.txt" <<'PY'
import sys
line = "%s\n" % ("0123456789abcdef" * 5)[:79]
block = line * 13107  # 80 bytes a line: 1,048,560 bytes
with open(sys.argv[1], "w") as handle:
    for _ in range(100):
        handle.write(block)
PY
fi
lines=$(( 13107 * 100 ))

measure() {  # measure NAME COMMAND: hyperfine's mean in milliseconds, output through a pipe like a reader's
    local json="$data/$1.json"
    hyperfine --style none --output pipe --warmup 3 --min-runs 15 --export-json "$json" "$2" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["mean"] * 1000))' "$json"
}
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
count_lines() { python3 -c 'import json,sys; e = json.load(sys.stdin); print(e["stdout"].count("\n"), e["next_offset"])'; }

# The same results as the programs they are measured against.
export AGENT_HOME="$data/home" AGENT_WORKSPACE="$tree"
pattern='needle_[0-9]+'
glob='*1.md'
grep_args="{\"pattern\": \"$pattern\", \"limit\": 1000}"
find_args="{\"pattern\": \"$glob\", \"limit\": 10000}"
matches=$("$worker" tool grep "$grep_args" | count_lines)
[ "$matches" = "$(rg -c "$pattern" "$tree" | awk -F: '{n += $2} END {print n}') None" ] || { echo "grep: the tool and rg disagree" >&2; exit 1; }
found=$("$worker" tool find "$find_args" | count_lines)
[ "$found" = "$(find "$tree" -name "$glob" | wc -l) None" ] || { echo "find: the tool and find disagree" >&2; exit 1; }
echo "tools.grep.matching_lines: ${matches% *}"
echo "tools.find.matches: ${found% *}"

# In process, as the worker calls them (the targets), against the programs run in alternation.
"$AGENT_BIN_DIR/bench-tools" "$tree" "$reading" "$data/home"

# By hand: agent-worker tool, process start included.
tool_grep_ms=$(measure grep-cli "'$worker' tool grep '$grep_args'")
rg_ms=$(measure grep-rg "rg '$pattern' '$tree'")
tool_find_ms=$(measure find-cli "'$worker' tool find '$find_args'")
find_ms=$(measure find-gnu "find '$tree' -name '$glob'")
echo "tools.cli.start_ms: $(measure start "'$worker' tool ls '{}'")"
echo "tools.cli.grep_ms: $tool_grep_ms (rg $rg_ms, ratio $(ratio "$tool_grep_ms" "$rg_ms"))"
echo "tools.cli.find_ms: $tool_find_ms (find $find_ms, ratio $(ratio "$tool_find_ms" "$find_ms"))"
export AGENT_WORKSPACE="$reading"
read_args="{\"path\": \"big.txt\", \"offset\": $(( lines - 600 ))}"
shown=$("$worker" tool read "$read_args" | count_lines)
[ "$shown" = "601 None" ] || { echo "read: expected the last 601 lines, got $shown" >&2; exit 1; }
echo "tools.cli.read_last_page_100mb_ms: $(measure read-cli "'$worker' tool read '$read_args'")"

peak_kb() {  # the peak resident memory of `agent-worker tool bash ARGS` and its children, in KiB
    python3 -c '
import json, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, check=True).stdout
assert json.loads(out)["ok"], out[:300]
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$worker" tool bash "$1"
}
baseline=$(peak_kb '{"command": "true"}')
loud=$(peak_kb '{"command": "yes a line of fifty bytes of output, more or less ok | head -c 50000000"}')
echo "tools.bash.peak_rss_baseline_mb: $(python3 -c "print('%.1f' % ($baseline / 1024))")"
echo "tools.bash.peak_rss_50mb_output_mb: $(python3 -c "print('%.1f' % ($loud / 1024))")"
echo "tools.bash.peak_rss_above_baseline_mb: $(python3 -c "print('%.1f' % (($loud - $baseline) / 1024))") (target < 20)"
rm -rf "$reading/.agent-scratch"

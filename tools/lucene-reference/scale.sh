#!/usr/bin/env bash
# Runs `mrc bench scale` (Lucene.Net) and Scale.java (Java Lucene 8, Nori and CJK bigrams) on the
# same corpus and questions, one process per engine and size, and prints one table.
#
# usage: tools/lucene-reference/scale.sh CORPUS.jsonl QUESTIONS.jsonl SIZES [WORK_DIR]
#   SIZES: comma-separated passage counts, e.g. 10000,100000,1000000 (or 1000000 alone)
#   WORK_DIR: indexes (deleted after each size) and the JSON of every run (default /tmp/mrc-scale)
# Environment: JAVA_OPTS (e.g. -Xmx8g), ANALYZERS (default "nori cjk"), THREADS (default: all cores).
set -euo pipefail
corpus=$1 questions=$2 sizes=$3 work=${4:-/tmp/mrc-scale}
root=$(cd "$(dirname "$0")/../.." && pwd)
jars=/usr/share/java
cp=$jars/lucene-core-8.7.0.jar:$jars/lucene-analyzers-common-8.7.0.jar:$jars/lucene-analyzers-nori-8.7.0.jar
threads=${THREADS:-$(nproc)}
mkdir -p "$work/classes"

dotnet build "$root/src/Mrc.Cli" -c Release -v quiet -nologo >&2
mrc=("dotnet" "$root/src/Mrc.Cli/bin/Release/net10.0/mrc.dll")
javac -cp "$cp" -d "$work/classes" "$root/tools/lucene-reference/Recall.java" "$root/tools/lucene-reference/Scale.java"

for size in ${sizes//,/ }; do
  echo "== $size passages: Lucene.Net" >&2
  "${mrc[@]}" bench scale --corpus "$corpus" --questions "$questions" --sizes "$size" --work "$work" \
    --threads "$threads" --json > "$work/lucenenet-$size.json"
  for analyzer in ${ANALYZERS:-nori cjk}; do
    echo "== $size passages: Java Lucene 8.7, $analyzer" >&2
    # shellcheck disable=SC2086
    java ${JAVA_OPTS:-} -cp "$cp:$work/classes" Scale "$corpus" "$questions" "$size" "$analyzer" "$work" \
      --threads "$threads" > "$work/lucene8-$analyzer-$size.json"
  done
done

files=()
for size in ${sizes//,/ }; do
  files+=("$work/lucenenet-$size.json")
  for analyzer in ${ANALYZERS:-nori cjk}; do files+=("$work/lucene8-$analyzer-$size.json"); done
done
python3 "$root/tools/lucene-reference/scale_table.py" "${files[@]}"

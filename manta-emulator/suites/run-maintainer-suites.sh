#!/usr/bin/env bash
# Runs Joyent's own Manta client suites (node-manta test/integration, java-manta-it) against a
# fresh manta-emulator and prints passed/failed/skipped per test file / class.
#
# By hand only, never in CI: the suites are fetched at pinned commits, not vendored, and take
# minutes. Usage, from the repository root:
#   manta-emulator/suites/run-maintainer-suites.sh [node] [java]      (default: both)
# Environment (all optional):
#   NODE_MANTA_GIT / JAVA_MANTA_GIT       git URL or local mirror of each suite
#   NODE_MANTA_COMMIT / JAVA_MANTA_COMMIT pinned commits (defaults below)
#   SUITES_WORK                           scratch dir (default: a new mktemp dir, kept for reading)
#   JAVA_MANTA_M2                         Maven local repo for java-manta (default: $SUITES_WORK/m2,
#                                         so the suite never writes its artifacts into ~/.m2)
#   JAVA_MANTA_JDK                        a JDK 8 home for java-manta's build (needed; see run_java)
#   NODE_TEST_TIMEOUT                     seconds per node-manta test file (default 300)
set -euo pipefail

NODE_MANTA_GIT=${NODE_MANTA_GIT:-https://github.com/joyent/node-manta.git}
JAVA_MANTA_GIT=${JAVA_MANTA_GIT:-https://github.com/joyent/java-manta.git}
NODE_MANTA_COMMIT=${NODE_MANTA_COMMIT:-d65ca3b1dc88757480cc84924ec7e7e7702dde0e}
JAVA_MANTA_COMMIT=${JAVA_MANTA_COMMIT:-9faa1e9d5c4265259addcb5d27d56ff1d07548ec}
NODE_TEST_TIMEOUT=${NODE_TEST_TIMEOUT:-300}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${SUITES_WORK:-$(mktemp -d /tmp/manta-suites.XXXXXX)}
JAVA_MANTA_M2=${JAVA_MANTA_M2:-$WORK/m2}
LOGIN=suites
ROLE=suites-ops
mkdir -p "$WORK"
echo "work dir: $WORK"

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(node java)

checkout() { # url commit dir
    if [ ! -d "$3/.git" ]; then
        git clone -q "$1" "$3"
    fi
    git -C "$3" -c advice.detachedHead=false checkout -q "$2"
    echo "$(basename "$3") at $(git -C "$3" rev-parse HEAD)"
}

# The emulator, from this worktree's build (no install: the classpath points at target/).
emulator_classpath() {
    (cd "$REPO" && ./mvnw -B -q -o -pl manta-emulator -am package -DskipTests >"$WORK/emulator-build.log" 2>&1) \
        || { echo "emulator build failed, see $WORK/emulator-build.log" >&2; exit 1; }
    (cd "$REPO" && ./mvnw -B -q -o -pl manta-emulator dependency:build-classpath \
        -Dmdep.outputFile="$WORK/emulator.cp" >>"$WORK/emulator-build.log" 2>&1) \
        || { echo "emulator classpath failed, see $WORK/emulator-build.log" >&2; exit 1; }
    echo "$REPO/manta-emulator/target/classes:$(cat "$WORK/emulator.cp")"
}

EMU_PID=
stop_emulator() {
    if [ -n "$EMU_PID" ]; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
        EMU_PID=
    fi
}
trap stop_emulator EXIT

# start_emulator NAME: a fresh root and a fresh RSA key (PEM, which both suites read); sets MANTA_*.
start_emulator() {
    local d="$WORK/$1"
    rm -rf "$d/root" "$d/home"
    mkdir -p "$d/root" "$d/home/.ssh"
    ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C "$LOGIN@suites" -f "$d/home/.ssh/id_rsa"
    java -cp "$CP" io.vminfo.manta.emulator.MantaEmulatorMain --port 0 --root "$d/root" \
        --key "$LOGIN=$d/home/.ssh/id_rsa.pub" --role "$LOGIN=$ROLE" >"$d/emulator.out" 2>"$d/emulator.err" &
    EMU_PID=$!
    for _ in $(seq 1 150); do
        grep -q '^MANTA_URL=' "$d/emulator.out" 2>/dev/null && break
        kill -0 "$EMU_PID" 2>/dev/null || { cat "$d/emulator.err" >&2; exit 1; }
        sleep 0.2
    done
    export MANTA_URL; MANTA_URL=$(sed -n 's/^MANTA_URL=//p' "$d/emulator.out" | head -1)
    [ -n "$MANTA_URL" ] || { echo "emulator did not start" >&2; exit 1; }
    export MANTA_USER=$LOGIN
    export MANTA_KEY_ID; MANTA_KEY_ID=$(ssh-keygen -l -E md5 -f "$d/home/.ssh/id_rsa.pub" | awk '{print $2}' | sed 's/^MD5://')
    export MANTA_KEY_PATH=$d/home/.ssh/id_rsa
    export MANTA_TLS_INSECURE=1
    # node-manta's role-tag tests (mchmod, mmkdir) run only when given a role the account has.
    export MANTA_TEST_ROLE=$ROLE
    export SUITE_HOME=$d/home
    echo "emulator for $1 at $MANTA_URL (key $MANTA_KEY_ID)"
}

run_node() {
    local src="$WORK/node-manta"
    checkout "$NODE_MANTA_GIT" "$NODE_MANTA_COMMIT" "$src"
    (cd "$src" && npm install --no-audit --no-fund >"$WORK/node-npm.log" 2>&1) \
        || { echo "npm install failed, see $WORK/node-npm.log" >&2; return 1; }
    start_emulator node
    printf '%-40s %6s %6s %6s\n' "node-manta file" passed failed skipped
    local tp=0 tf=0 ts=0
    for f in "$src"/test/integration/*.test.js; do
        local name log
        name=$(basename "$f"); log="$WORK/node/$name.tap"
        # node-manta's tests read the key through ssh-agent or ~/.ssh; HOME points at the fresh key.
        (cd "$src" && env -u SSH_AUTH_SOCK HOME=$SUITE_HOME timeout "$NODE_TEST_TIMEOUT" node "$f" >"$log" 2>&1) || true
        # Top-level TAP points are the suite's test() blocks; a file that crashed at load has none.
        local p fl s
        s=$(grep -cE '^ok .*# (SKIP|skip)' "$log" || true)
        p=$(( $(grep -cE '^ok ' "$log" || true) - s ))
        fl=$(grep -cE '^not ok ' "$log" || true)
        if [ "$p" -eq 0 ] && [ "$fl" -eq 0 ] && [ "$s" -eq 0 ]; then
            fl=1; name="$name (no result: crashed or timed out)"
        fi
        printf '%-40s %6d %6d %6d\n' "$name" "$p" "$fl" "$s"
        tp=$((tp + p)); tf=$((tf + fl)); ts=$((ts + s))
    done
    printf '%-40s %6d %6d %6d\n' "node-manta total" "$tp" "$tf" "$ts"
    echo "TAP logs: $WORK/node/"
    stop_emulator
}

run_java() {
    local src="$WORK/java-manta"
    checkout "$JAVA_MANTA_GIT" "$JAVA_MANTA_COMMIT" "$src"
    # Its build compiles through Error Prone 2.x's plexus compiler, which cannot run on a JDK 17;
    # the JDK's own javac, forked (Error Prone's bundled javac 9 would stay in process), compiles
    # the same sources (the suite's code is untouched).
    git -C "$src" checkout -q -- pom.xml
    sed -i -e 's|<compilerId>javac-with-errorprone</compilerId>|<compilerId>javac</compilerId>|' \
        -e 's|<forceJavacCompilerUse>true</forceJavacCompilerUse>|<fork>true</fork>|' \
        -e '/-XepDisableWarningsInGeneratedCode/d' "$src/pom.xml"
    start_emulator java
    # verify, never install; its own local repo keeps java-manta's snapshots out of ~/.m2.
    # Checkstyle/license/javadoc/enforcer are their release gates and -Dtest=none skips its unit
    # tests (no Manta in them; failsafe does not read -Dtest), none part of the suite; it targets
    # Java 8 and its -source/-target alone do not compile on a JDK 17, hence --release 8.
    # Its kryo module (which java-manta-it needs) uses sun.security.pkcs11 internals that only a
    # JDK 8 has: set JAVA_MANTA_JDK to one; on a JDK 17 the build stops there.
    (cd "$src" && HOME=$SUITE_HOME JAVA_HOME=${JAVA_MANTA_JDK:-${JAVA_HOME:-}} mvn -B -Dmaven.repo.local="$JAVA_MANTA_M2" -pl java-manta-it -am verify \
        -Dmaven.test.failure.ignore=true -Dcheckstyle.skip=true -Dlicense.skip=true -Dmaven.javadoc.skip=true \
        -Denforcer.skip=true -Djacoco.skip=true -Dmaven.compiler.release=8 -Dtest=none -DfailIfNoTests=false -Dsurefire.failIfNoSpecifiedTests=false \
        >"$WORK/java-manta-it.log" 2>&1) || echo "java-manta build ended non-zero, see $WORK/java-manta-it.log"
    printf '%-70s %6s %6s %6s\n' "java-manta-it class" passed failed skipped
    python3 - "$src/java-manta-it/target/failsafe-reports" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
tot = [0, 0, 0]
files = sorted(glob.glob(sys.argv[1] + "/TEST-*.xml"))
if not files:
    print("no failsafe reports: the suite did not run (see the log)")
for f in files:
    r = ET.parse(f).getroot()
    t, fl, e, s = (int(r.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    row = [t - fl - e - s, fl + e, s]
    tot = [a + b for a, b in zip(tot, row)]
    print("%-70s %6d %6d %6d" % (r.get("name"), *row))
print("%-70s %6d %6d %6d" % ("java-manta-it total", *tot))
PY
    stop_emulator
}

CP=$(emulator_classpath)
mkdir -p "$WORK/node"
for s in "${want[@]}"; do
    case "$s" in
        node) run_node ;;
        java) run_java ;;
        *) echo "unknown suite $s (node, java)" >&2; exit 2 ;;
    esac
done

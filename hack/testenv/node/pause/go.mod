// The sandbox ("pause") process of every pod on the real node (docs/real-node.md). No image can be
// pulled here, so this replaces registry.k8s.io/pause: it holds the pod's namespaces open, reaps
// the zombies it inherits, and exits on SIGINT or SIGTERM, as upstream's pause.c does.
module mwop.dev/hack/testenv/node/pause

go 1.26.0

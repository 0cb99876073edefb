import { defineConfig } from 'vitest/config';

// Three kinds of tests, one command (`make test` runs them all):
//   unit         pure code only, milliseconds each;
//   services     real local processes (redis-server, MariaDB, an S3 server), no cluster;
//   integration  the real control plane from hack/testenv, started once per run.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'services',
          include: ['test/services/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler once per run
          // (hack/testenv); fails the run with the reason when they cannot start.
          globalSetup: ['test/integration/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

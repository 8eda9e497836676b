// Compose checks by the name a rule's `check:` uses.
import type { ComposeCheck } from './context.js';
import { natsJetstreamNoStore, natsNoJetstream, postgres18WrongMount, redisQueueNoAof, statefulNoVolume } from './durability.js';
import {
  dependsOnStartedOnly,
  healthcheckDisabled,
  healthyWithoutHealthcheck,
  natsHealthcheckNeverPasses,
  noHealthcheck,
  noStartPeriod,
  weakHealthcheck,
} from './healthcheck.js';
import { noCpuLimit, noMemoryLimit, noRestart, restartGivesUp } from './runtime.js';

export const composeChecks: Record<string, ComposeCheck> = {
  'compose-no-healthcheck': noHealthcheck,
  'compose-healthcheck-disabled': healthcheckDisabled,
  'compose-weak-healthcheck': weakHealthcheck,
  'compose-depends-on-started-only': dependsOnStartedOnly,
  'compose-healthy-without-healthcheck': healthyWithoutHealthcheck,
  'compose-nats-healthcheck-never-passes': natsHealthcheckNeverPasses,
  'compose-no-start-period': noStartPeriod,
  'compose-no-restart': noRestart,
  'compose-restart-gives-up': restartGivesUp,
  'compose-no-memory-limit': noMemoryLimit,
  'compose-no-cpu-limit': noCpuLimit,
  'compose-stateful-no-volume': statefulNoVolume,
  'compose-postgres18-wrong-mount': postgres18WrongMount,
  'compose-nats-no-jetstream': natsNoJetstream,
  'compose-nats-js-no-store': natsJetstreamNoStore,
  'compose-redis-queue-no-aof': redisQueueNoAof,
};

// Every rule's code check, by rule name. A rule with `check:` runs the default export of
// src/engine/checks/<rule name>.ts: a `Check` over one source file for Python/TypeScript rules, a
// `ComposeCheck` over one compose project for compose rules. Shared analyses live in
// src/engine/analysis/, never here. Adding a check: its file, one line below (the rule tests fail
// until both exist and the names match).
import type { Check, ComposeCheck } from '../api.js';
import type { RuleMeta } from '../types.js';
import awaitWithoutDeadline from './await-without-deadline.js';
import celeryTaskWithoutTimeLimit from './celery-task-without-time-limit.js';
import handlerAwaitsWithoutDeadline from './handler-awaits-without-deadline.js';
import handlerTimeoutsExceedBudget from './handler-timeouts-exceed-budget.js';
import bareRetryDecorator from './bare-retry-decorator.js';
import batchCommitWithoutRollback from './batch-commit-without-rollback.js';
import celeryAcksLatePastVisibilityTimeout from './celery-acks-late-past-visibility-timeout.js';
import celeryTaskAcksEarly from './celery-task-acks-early.js';
import clientWithoutErrorListener from './client-without-error-listener.js';
import uncaughtExceptionSwallowed from './uncaught-exception-swallowed.js';
import composeDependsOnStartedOnly from './compose-depends-on-started-only.js';
import composeHealthcheckDisabled from './compose-healthcheck-disabled.js';
import composeHealthyWithoutHealthcheck from './compose-healthy-without-healthcheck.js';
import composeNatsHealthcheckNeverPasses from './compose-nats-healthcheck-never-passes.js';
import composeNatsJsNoStore from './compose-nats-js-no-store.js';
import composeNatsNoJetstream from './compose-nats-no-jetstream.js';
import composeNoCpuLimit from './compose-no-cpu-limit.js';
import composeNoHealthcheck from './compose-no-healthcheck.js';
import composeNoMemoryLimit from './compose-no-memory-limit.js';
import composeNoRestart from './compose-no-restart.js';
import composeStartScriptDropsSigterm from './compose-start-script-drops-sigterm.js';
import composeNoStartPeriod from './compose-no-start-period.js';
import composePostgres18WrongMount from './compose-postgres18-wrong-mount.js';
import composeRedisEmptyPassword from './compose-redis-empty-password.js';
import composeRedisQueueNoAof from './compose-redis-queue-no-aof.js';
import composeRestartGivesUp from './compose-restart-gives-up.js';
import composeSecretDefault from './compose-secret-default.js';
import composeSecretLiteral from './compose-secret-literal.js';
import queueProducerWaitsThroughOutage from './queue-producer-waits-through-outage.js';
import composeStatefulNoVolume from './compose-stateful-no-volume.js';
import composeWeakHealthcheck from './compose-weak-healthcheck.js';
import connectionStateNeverRecovers from './connection-state-never-recovers.js';
import corsAnyOriginWithCredentials from './cors-any-origin-with-credentials.js';
import deadStateNeverReset from './dead-state-never-reset.js';
import djangoSettingsWithoutTimeout from './django-settings-without-timeout.js';
import engineDriverWithoutTimeout from './engine-driver-without-timeout.js';
import grpcCallWithoutDeadline from './grpc-call-without-deadline.js';
import handlerSideEffectWithoutDedup from './handler-side-effect-without-dedup.js';
import httpModuleWithoutTimeout from './http-module-without-timeout.js';
import jobWithoutRetryPolicy from './job-without-retry-policy.js';
import monitorLoopExitsOnError from './monitor-loop-exits-on-error.js';
import monitorOffByDefault from './monitor-off-by-default.js';
import ormQueryTimeoutLogOnly from './orm-query-timeout-log-only.js';
import placeholderBreaker from './placeholder-breaker.js';
import poolWithoutLivenessCheck from './pool-without-liveness-check.js';
import postCreateWithoutIdempotencyKey from './post-create-without-idempotency-key.js';
import publishFailureSwallowed from './publish-failure-swallowed.js';
import rateLimiterMemoryStorage from './rate-limiter-memory-storage.js';
import reconnectAttemptsCapped from './reconnect-attempts-capped.js';
import reconnectGivesUp from './reconnect-gives-up.js';
import secretWithHardcodedFallback from './secret-with-hardcoded-fallback.js';
import socketWithoutHeartbeat from './socket-without-heartbeat.js';
import socketWithoutReconnect from './socket-without-reconnect.js';
import suppressionWithoutReason from './suppression-without-reason.js';
import taskFailureReturned from './task-failure-returned.js';
import writeTaskFireAndForget from './write-task-fire-and-forget.js';
import taskiqTaskWithoutRetry from './taskiq-task-without-retry.js';
import thirdPartyCallWithoutBreaker from './third-party-call-without-breaker.js';

export const CHECKS: Readonly<Record<string, Check | ComposeCheck>> = {
  'await-without-deadline': awaitWithoutDeadline,
  'celery-task-without-time-limit': celeryTaskWithoutTimeLimit,
  'handler-awaits-without-deadline': handlerAwaitsWithoutDeadline,
  'handler-timeouts-exceed-budget': handlerTimeoutsExceedBudget,
  'bare-retry-decorator': bareRetryDecorator,
  'batch-commit-without-rollback': batchCommitWithoutRollback,
  'celery-acks-late-past-visibility-timeout': celeryAcksLatePastVisibilityTimeout,
  'celery-task-acks-early': celeryTaskAcksEarly,
  'client-without-error-listener': clientWithoutErrorListener,
  'uncaught-exception-swallowed': uncaughtExceptionSwallowed,
  'compose-depends-on-started-only': composeDependsOnStartedOnly,
  'compose-healthcheck-disabled': composeHealthcheckDisabled,
  'compose-healthy-without-healthcheck': composeHealthyWithoutHealthcheck,
  'compose-nats-healthcheck-never-passes': composeNatsHealthcheckNeverPasses,
  'compose-nats-js-no-store': composeNatsJsNoStore,
  'compose-nats-no-jetstream': composeNatsNoJetstream,
  'compose-no-cpu-limit': composeNoCpuLimit,
  'compose-no-healthcheck': composeNoHealthcheck,
  'compose-no-memory-limit': composeNoMemoryLimit,
  'compose-no-restart': composeNoRestart,
  'compose-start-script-drops-sigterm': composeStartScriptDropsSigterm,
  'compose-no-start-period': composeNoStartPeriod,
  'compose-postgres18-wrong-mount': composePostgres18WrongMount,
  'compose-redis-empty-password': composeRedisEmptyPassword,
  'compose-redis-queue-no-aof': composeRedisQueueNoAof,
  'compose-restart-gives-up': composeRestartGivesUp,
  'compose-secret-default': composeSecretDefault,
  'compose-secret-literal': composeSecretLiteral,
  'compose-stateful-no-volume': composeStatefulNoVolume,
  'compose-weak-healthcheck': composeWeakHealthcheck,
  'connection-state-never-recovers': connectionStateNeverRecovers,
  'cors-any-origin-with-credentials': corsAnyOriginWithCredentials,
  'dead-state-never-reset': deadStateNeverReset,
  'django-settings-without-timeout': djangoSettingsWithoutTimeout,
  'engine-driver-without-timeout': engineDriverWithoutTimeout,
  'grpc-call-without-deadline': grpcCallWithoutDeadline,
  'queue-producer-waits-through-outage': queueProducerWaitsThroughOutage,
  'handler-side-effect-without-dedup': handlerSideEffectWithoutDedup,
  'http-module-without-timeout': httpModuleWithoutTimeout,
  'job-without-retry-policy': jobWithoutRetryPolicy,
  'monitor-loop-exits-on-error': monitorLoopExitsOnError,
  'monitor-off-by-default': monitorOffByDefault,
  'orm-query-timeout-log-only': ormQueryTimeoutLogOnly,
  'placeholder-breaker': placeholderBreaker,
  'pool-without-liveness-check': poolWithoutLivenessCheck,
  'post-create-without-idempotency-key': postCreateWithoutIdempotencyKey,
  'publish-failure-swallowed': publishFailureSwallowed,
  'rate-limiter-memory-storage': rateLimiterMemoryStorage,
  'reconnect-attempts-capped': reconnectAttemptsCapped,
  'reconnect-gives-up': reconnectGivesUp,
  'secret-with-hardcoded-fallback': secretWithHardcodedFallback,
  'socket-without-heartbeat': socketWithoutHeartbeat,
  'socket-without-reconnect': socketWithoutReconnect,
  'suppression-without-reason': suppressionWithoutReason,
  'task-failure-returned': taskFailureReturned,
  'write-task-fire-and-forget': writeTaskFireAndForget,
  'taskiq-task-without-retry': taskiqTaskWithoutRetry,
  'third-party-call-without-breaker': thirdPartyCallWithoutBreaker,
};

/** The code check of a rule (`check:` names it, and it is the rule's own name), or undefined. */
export function checkOf(rule: RuleMeta): Check | ComposeCheck | undefined {
  return rule.check !== undefined && Object.hasOwn(CHECKS, rule.check) ? CHECKS[rule.check] : undefined;
}

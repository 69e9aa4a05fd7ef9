/**
 * The production platform services of {@code io.tribune.api}: the JDK's monotonic and wall clocks
 * and a small pool of daemon scheduler threads with serial executors
 * ({@link io.tribune.platform.SystemPlatform}). The agent runs on it, and so do tests that need real
 * time (socket transports, crash tests), so that tests and production share one scheduler.
 */
module io.tribune.platform {
    requires transitive io.tribune.api;
    exports io.tribune.platform;
}

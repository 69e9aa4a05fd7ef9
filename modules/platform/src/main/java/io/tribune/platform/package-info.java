/**
 * The real-time implementation of the SPI's {@link io.tribune.api.Clock} and
 * {@link io.tribune.api.Scheduler}.
 */
package io.tribune.platform;

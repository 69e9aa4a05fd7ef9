/**
 * Boots the JPMS runtime: the boot layer holds only the SPI and this package; the host and each
 * plugin get child layers of it.
 */
package io.tribune.launcher.boot;

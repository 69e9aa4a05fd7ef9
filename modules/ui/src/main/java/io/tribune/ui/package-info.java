/**
 * Read access to the web UI's built files ({@link io.tribune.ui.UiAssets}).
 */
package io.tribune.ui;

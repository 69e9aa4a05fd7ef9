/**
 * The {@code consensus-single} plugin's entry point. The implementation lives in unexported
 * {@code internal} packages; users select it by name ({@code -plugin consensus=consensus-single}).
 */
package io.tribune.consensus.single;

/**
 * The agent's web UI: the built single-page application as resources of this module, under
 * {@code io/tribune/ui/static/} (not a package, since {@code static} is a keyword, so the files are
 * never encapsulated), and {@link io.tribune.ui.UiAssets} to read them. The HTTP module serves them
 * at {@code /ui/}. No services used or provided.
 */
module io.tribune.ui {
    exports io.tribune.ui;
}

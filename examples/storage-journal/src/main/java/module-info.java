/**
 * An example storage plugin: every write is appended to one journal file and fsynced; the stores
 * are rebuilt from the journal at open. Provides {@link io.tribune.api.Plugin}.
 */
module com.example.journal {
    requires io.tribune.api;
    requires static osgi.core;

    provides io.tribune.api.Plugin with com.example.journal.JournalPlugin;
}

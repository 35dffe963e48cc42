import Foundation

/// What can go wrong with the catalog, each with what to do about it.
public enum CatalogError: LocalizedError, Equatable {
    /// The database folder or file cannot be created or written (exit 3: environment).
    case unwritable(path: String, reason: String)
    /// The database file exists but is not a readable SQLite catalog (exit 2: bad input). Its bytes are left untouched.
    case corrupt(path: String, reason: String)
    case unknownModel(name: String, suggestions: [String])
    case unknownGPU(name: String, suggestions: [String])
    case ambiguous(name: String, candidates: [String])
    /// A bundled or imported row is malformed.
    case badRow(table: String, line: Int, reason: String)
    /// A file to import or check cannot be read (exit 2).
    case unreadableFile(path: String, reason: String)
    /// `catalog import` / `catalog add` refused the rows: the first problem, and how many more there are. Nothing was written.
    case importRejected(location: String, reason: String, more: Int)
    /// `catalog remove` was given an id that no user row has.
    case noUserRow(table: String, id: String, bundled: Bool)

    public var errorDescription: String? {
        switch self {
        case let .unwritable(path, reason):
            "cannot write the catalog database at \(path): \(reason); choose a writable place with --db PATH or SPECFIT_DB"
        case let .corrupt(path, reason):
            "the catalog database \(path) is not a valid SpecFit catalog (\(reason)); it was left as it is — move it away or delete it and SpecFit will rebuild it, or point --db elsewhere"
        case let .unknownModel(name, suggestions):
            "unknown model '\(name)'" + (suggestions.isEmpty ? "; `specfit catalog list models` shows the catalog" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case let .unknownGPU(name, suggestions):
            "unknown GPU '\(name)'" + (suggestions.isEmpty ? "; `specfit catalog list gpus` shows the catalog" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case let .ambiguous(name, candidates):
            "'\(name)' matches several catalog rows: \(candidates.joined(separator: ", ")); give one of these ids"
        case let .badRow(table, line, reason):
            table.hasSuffix(".csv") || table.contains("/") ? "\(table):\(line): \(reason)" : "catalog/\(table).csv line \(line): \(reason)"
        case let .unreadableFile(path, reason):
            "cannot read \(path): \(reason)"
        case let .importRejected(location, reason, more):
            "\(location): \(reason)" + (more == 0 ? "" : " (and \(more) more problem\(more == 1 ? "" : "s")"
                + (location.contains(".csv") ? ": `specfit catalog validate FILE` lists them all)" : ")"))
                + "; nothing was imported — fix the file and import it again"
        case let .noUserRow(table, id, bundled):
            bundled ? "\(id) is a bundled \(table) row; only your own rows can be removed (bundled rows come back with every catalog upgrade)"
                : "no user row of \(table) is called \(id); `specfit catalog export --origin user` lists yours"
        }
    }

    /// Process exit code by the convention of CONVENTIONS.md (2 bad input, 3 environment).
    public var exitCode: Int32 {
        switch self {
        case .unwritable: 3
        // The name given matches several rows: the command needs a more precise one (a usage error).
        case .ambiguous: 1
        default: 2
        }
    }
}

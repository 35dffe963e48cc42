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

    public var errorDescription: String? {
        switch self {
        case let .unwritable(path, reason):
            "cannot write the catalog database at \(path): \(reason); choose a writable place with --db PATH or SPECFIT_DB"
        case let .corrupt(path, reason):
            "the catalog database \(path) is not a valid SpecFit catalog (\(reason)); it was left as it is — move it away or delete it and SpecFit will rebuild it, or point --db elsewhere"
        case let .unknownModel(name, suggestions):
            "unknown model '\(name)'" + (suggestions.isEmpty ? "; `specfit catalog list --models` shows the catalog" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case let .unknownGPU(name, suggestions):
            "unknown GPU '\(name)'" + (suggestions.isEmpty ? "; `specfit catalog list --gpus` shows the catalog" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case let .ambiguous(name, candidates):
            "'\(name)' matches several catalog rows: \(candidates.joined(separator: ", ")); give one of these ids"
        case let .badRow(table, line, reason):
            "catalog/\(table).csv line \(line): \(reason)"
        }
    }

    /// Process exit code by the convention of CONVENTIONS.md (2 bad input, 3 environment).
    public var exitCode: Int32 {
        switch self {
        case .unwritable: 3
        default: 2
        }
    }
}

import Foundation

/// A catalog as a binary carries it: each table's CSV text and a version that changes whenever any table does.
///
/// ``CatalogStore`` replaces a database's bundled rows when the version differs — that is what an upgrade (or a
/// downgrade) of SpecFit does to the catalog; user rows are never part of it.
public struct BundledTables: Sendable {
    public var version: String
    /// Tables in import order: (table name, CSV text with its header).
    public var tables: [(name: String, csv: String)]

    public init(version: String, tables: [(name: String, csv: String)]) {
        self.version = version
        self.tables = tables
    }

    /// The catalog generated into this binary from `catalog/*.csv` (scripts/gen-bundled-catalog).
    public static let current = BundledTables(version: BundledCatalog.version, tables: BundledCatalog.tables)

    /// The CSV text of one table, nil when the catalog has no such table.
    public func csv(_ table: String) -> String? { tables.first { $0.name == table }?.csv }

    /// The header (column names in file order) of one table's CSV.
    public func header(_ table: String) -> [String]? {
        guard let text = csv(table) else { return nil }
        return try? CSVTable(name: table, text: text).header
    }
}

/// An element of a ``MergeQueue``: `comesBefore` is the order in which elements leave the heap.
protocol MergeQueueOrdered {
    static func comesBefore(_ a: Self, _ b: Self) -> Bool
}

/// The queue of candidate merges: a binary heap in memory it owns, popping the element that ``MergeQueueOrdered/comesBefore(_:_:)`` puts first.
/// Not copyable: one encoder call makes one, uses it, and it frees its memory when it goes.
struct MergeQueue<Element: MergeQueueOrdered>: ~Copyable {
    private var items: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        items = .allocate(capacity: self.capacity)
    }

    deinit { items.deallocate() }

    var isEmpty: Bool { count == 0 }

    mutating func removeAll() { count = 0 }

    mutating func push(_ e: Element) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: items, count: count)
            items.deallocate()
            items = bigger
            capacity *= 2
        }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            guard Element.comesBefore(e, items[parent]) else { break }
            items[i] = items[parent]
            i = parent
        }
        (items + i).initialize(to: e)
    }

    mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        let top = items[0]
        count -= 1
        guard count > 0 else { return top }
        let last = items[count]
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= count { break }
            let r = l + 1
            let c = r < count && Element.comesBefore(items[r], items[l]) ? r : l
            guard Element.comesBefore(items[c], last) else { break }
            items[i] = items[c]
            i = c
        }
        items[i] = last
        return top
    }
}

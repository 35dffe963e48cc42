import Testing
@Test func ggufPlaceholder() {}

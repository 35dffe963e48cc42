import Testing
@Test func decoderPlaceholder() {}

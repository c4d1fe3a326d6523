// Optimal segmentation: the split of the payload into numeric, alphanumeric and byte segments
// with the fewest bits for a given length class.
//
// Dynamic programming over byte positions with six states: byte mode, numeric mode with the
// segment's digit count mod 3, and alphanumeric mode with its character count mod 2. Tracking
// the residues makes the cost exact (a numeric digit costs 4, 3 or 3 bits depending on its
// place in the group of three, an alphanumeric character 6 or 5), so the result is truly
// minimal, not the usual fractional-bit approximation. Switching mode costs the new segment's
// header (4-bit mode indicator plus the character count indicator).

enum Segmenter {
    // State numbering: 0 byte; 1, 2, 3 numeric with count % 3 == 1, 2, 0; 4, 5 alphanumeric
    // with count % 2 == 1, 0.
    private static let stateCount = 6
    private static let noState: UInt8 = 0xFF

    private static func mode(ofState state: Int) -> Mode {
        state == 0 ? .byte : (state <= 3 ? .numeric : .alphanumeric)
    }

    /// Segments with the minimum total bit length for the given length class, and that length.
    static func optimal(_ data: [UInt8], lengthClass: Int) -> (segments: [Segment], bits: Int) {
        let count = data.count
        if count == 0 {
            // An empty payload still needs one (empty) segment; byte mode, as segno does.
            let segment = Segment(mode: .byte, range: 0..<0)
            return ([segment], segment.bitLength(lengthClass: lengthClass))
        }
        let byteHeader = 4 + Mode.byte.countBits(lengthClass: lengthClass)
        let numericHeader = 4 + Mode.numeric.countBits(lengthClass: lengthClass)
        let alphaHeader = 4 + Mode.alphanumeric.countBits(lengthClass: lengthClass)
        let infinity = Int.max / 4

        // back[i * 6 + s]: state at position i - 1 from which state s at position i was reached.
        var back = [UInt8](repeating: noState, count: count * stateCount)
        var cost = [Int](repeating: infinity, count: stateCount)
        var next = [Int](repeating: infinity, count: stateCount)
        let alphaTable = Tables.alphanumericValue

        back.withUnsafeMutableBufferPointer { back in
            for i in 0..<count {
                let byte = data[i]
                let isDigit = byte >= 0x30 && byte <= 0x39
                let isAlpha = alphaTable[Int(byte)] >= 0
                for s in 0..<stateCount { next[s] = infinity }

                // Cheapest state of each mode at the previous position, to start a new segment.
                var bestByte = infinity, bestByteState = noState
                var bestNumeric = infinity, bestNumericState = noState
                var bestAlpha = infinity, bestAlphaState = noState
                if i == 0 {
                    bestByte = 0; bestNumeric = 0; bestAlpha = 0
                } else {
                    bestByte = cost[0]; bestByteState = 0
                    for s in 1...3 where cost[s] < bestNumeric { bestNumeric = cost[s]; bestNumericState = UInt8(s) }
                    for s in 4...5 where cost[s] < bestAlpha { bestAlpha = cost[s]; bestAlphaState = UInt8(s) }
                }
                let base = i * stateCount

                // Byte mode: continue, or start after a numeric / alphanumeric segment.
                do {
                    var best = i == 0 ? infinity : cost[0] + 8
                    var from = UInt8(0)
                    let fromOther = min(bestNumeric, bestAlpha)
                    if i == 0 {
                        best = byteHeader + 8; from = noState
                    } else if fromOther + byteHeader + 8 < best {
                        best = fromOther + byteHeader + 8
                        from = bestNumeric <= bestAlpha ? bestNumericState : bestAlphaState
                    }
                    next[0] = best; back[base] = from
                }
                if isDigit {
                    // Continue numeric: count % 3 goes 1 -> 2 (+3 bits), 2 -> 0 (+3), 0 -> 1 (+4).
                    if i > 0 {
                        if cost[1] < infinity { next[2] = cost[1] + 3; back[base + 2] = 1 }
                        if cost[2] < infinity { next[3] = cost[2] + 3; back[base + 3] = 2 }
                        if cost[3] < infinity { next[1] = cost[3] + 4; back[base + 1] = 3 }
                    }
                    // Start numeric.
                    let fromOther = i == 0 ? 0 : min(bestByte, bestAlpha)
                    let start = fromOther + numericHeader + 4
                    if start < next[1] {
                        next[1] = start
                        back[base + 1] = i == 0 ? noState : (bestByte <= bestAlpha ? bestByteState : bestAlphaState)
                    }
                }
                if isAlpha {
                    // Continue alphanumeric: count % 2 goes 1 -> 0 (+5 bits), 0 -> 1 (+6).
                    if i > 0 {
                        if cost[4] < infinity { next[5] = cost[4] + 5; back[base + 5] = 4 }
                        if cost[5] < infinity { next[4] = cost[5] + 6; back[base + 4] = 5 }
                    }
                    let fromOther = i == 0 ? 0 : min(bestByte, bestNumeric)
                    let start = fromOther + alphaHeader + 6
                    if start < next[4] {
                        next[4] = start
                        back[base + 4] = i == 0 ? noState : (bestByte <= bestNumeric ? bestByteState : bestNumericState)
                    }
                }
                swap(&cost, &next)
            }
        }

        // Cheapest final state, then walk back to recover the mode of every position.
        var state = 0
        for s in 1..<stateCount where cost[s] < cost[state] { state = s }
        let bits = cost[state]
        var segments: [Segment] = []
        var end = count
        var position = count - 1
        var currentMode = mode(ofState: state)
        while position >= 0 {
            let previous = back[position * stateCount + state]
            let startsSegment = previous == noState || mode(ofState: Int(previous)) != currentMode
            if startsSegment {
                segments.append(Segment(mode: currentMode, range: position..<end))
                end = position
                if previous != noState { currentMode = mode(ofState: Int(previous)) }
            }
            if previous == noState { break }
            state = Int(previous)
            position -= 1
        }
        segments.reverse()
        return (segments, bits)
    }

    /// The whole payload as one segment of the given mode.
    static func single(_ data: [UInt8], mode: Mode, lengthClass: Int) -> (segments: [Segment], bits: Int) {
        let segment = Segment(mode: mode, range: 0..<data.count)
        return ([segment], segment.bitLength(lengthClass: lengthClass))
    }

    /// Whether every segment's character count fits its count indicator.
    static func countsFit(_ segments: [Segment], lengthClass: Int) -> Bool {
        segments.allSatisfy { $0.range.count < 1 << $0.mode.countBits(lengthClass: lengthClass) }
    }
}

// Reed-Solomon error correction over GF(256) with the QR field polynomial
// x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator roots alpha^0 ... alpha^(n-1).

enum GaloisField {
    /// alpha^i for i in 0..<510, doubled so that exp[log a + log b] needs no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            table[i + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        return table
    }()

    /// log_alpha(a) for a in 1...255 (log[0] is unused).
    static let log: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = UInt8(i) }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return exp[Int(log[Int(a)]) + Int(log[Int(b)])]
    }
}

enum ReedSolomon {
    /// Generator polynomial coefficients (without the leading 1), highest degree first, for
    /// every degree a QR symbol uses (7 ... 30). Built once, immutable afterwards.
    static let generators: [[UInt8]] = (0...30).map(makeGenerator(degree:))

    static func makeGenerator(degree: Int) -> [UInt8] {
        // Product of (x - alpha^i) for i in 0..<degree; coefficients stored highest first,
        // the monic leading term dropped.
        var coefficients = [UInt8](repeating: 0, count: degree)
        guard degree > 0 else { return coefficients }
        coefficients[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                coefficients[j] = GaloisField.multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = GaloisField.multiply(root, 2)
        }
        return coefficients
    }

    /// The same generators in log form (0xFFFF marks a zero coefficient), so that each
    /// division step is one table look-up per coefficient.
    static let generatorLogs: [[UInt16]] = generators.map { generator in
        generator.map { $0 == 0 ? 0xFFFF : UInt16(GaloisField.log[Int($0)]) }
    }

    /// Error correction codewords for `data` (remainder of data(x) * x^n divided by g(x)),
    /// written into `output` (which must hold `degree` bytes).
    static func remainder(
        data: UnsafeBufferPointer<UInt8>, degree: Int, output: UnsafeMutableBufferPointer<UInt8>
    ) {
        for i in 0..<degree { output[i] = 0 }
        GaloisField.exp.withUnsafeBufferPointer { exp in
            GaloisField.log.withUnsafeBufferPointer { log in
                generatorLogs[degree].withUnsafeBufferPointer { genLog in
                    for byte in data {
                        let factor = byte ^ output[0]
                        // Shift the register left by one codeword.
                        for i in 0..<(degree - 1) { output[i] = output[i + 1] }
                        output[degree - 1] = 0
                        if factor != 0 {
                            let logFactor = Int(log[Int(factor)])
                            for i in 0..<degree where genLog[i] != 0xFFFF {
                                output[i] ^= exp[logFactor + Int(genLog[i])]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Convenience for tests: the error correction codewords of `data` as an array.
    static func remainder(of data: [UInt8], degree: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: degree)
        data.withUnsafeBufferPointer { data in
            output.withUnsafeMutableBufferPointer { out in
                remainder(data: data, degree: degree, output: out)
            }
        }
        return output
    }
}

using System;
using System.Numerics;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

public sealed class GemmTests
{
    // Shapes around the register-tile edges (MR = 4/6/8, NR = 4..32), below and above the packing cut-offs,
    // and larger than one cache block in every dimension.
    private static readonly (int M, int N, int K)[] s_shapes =
    [
        (1, 1, 1), (2, 2, 2), (3, 5, 7), (5, 5, 5), (6, 6, 6), (7, 7, 7),
        (5, 16, 9), (6, 17, 15), (7, 31, 16), (11, 32, 17), (12, 33, 31), (13, 15, 32),
        (15, 16, 33), (16, 17, 5), (17, 16, 6), (24, 48, 12), (25, 64, 3),
        (31, 31, 31), (32, 32, 32), (33, 33, 33), (31, 33, 32), (33, 32, 31),
        (1, 100, 70), (3, 65, 40), (100, 1, 70), (70, 3, 45), (33, 4, 100), (90, 5, 33),
        (257, 129, 300), (40, 40, 1100), (20, 4133, 10), (401, 37, 19),
        // Taller products (96-192 rows): exact fits, and 4-row and 7-row edges below the last full tile.
        (96, 33, 20), (100, 64, 70), (103, 40, 64), (192, 65, 130),
        // Few rows and columns over a long depth (the weight-gradient shape A·Bᵀ): whole and partial 4×4 blocks and
        // depths off the vector width in GemmDotBlocks, the largest area it accepts, and just beyond it and larger in
        // the packed kernel.
        (4, 4, 128), (13, 7, 1001), (24, 24, 777), (5, 90, 777), (25, 24, 1000), (64, 64, 2048), (96, 96, 800),
        // A wide product with enough rows to split by rows, split by columns instead.
        (100, 1000, 40),
        // op(B) read in place (at most two row panels, or at most two column panels): over several depth blocks,
        // with a 4-row edge, and with half-width column tiles. From rows of 4 KiB or more the depth blocks span
        // 512 KiB of B: five of 60 rows (float, 8 KiB rows) and ten of 30 (double), six of 117 (4416-byte rows).
        (16, 2048, 300), (12, 96, 520), (100, 48, 300), (9, 16, 700), (16, 1104, 700),
        // op(A) read in place (at most two column panels; a last panel under a tile height is packed): a 4-row edge over three depth
        // blocks, one half-width column panel, and a tall product with a 4-row edge. Transposed, A is read in place
        // from rows of 4 KiB or more for up to 32 columns, in depth blocks of 256 KiB of rows: two blocks of 35 (1028,
        // 1024 and 1020 rows), blocks of 29 and, in double, of the 16 rows the depth never goes below (2100 rows),
        // and, at 2 KiB float rows, three blocks of 100 (512 rows).
        (20, 64, 513), (36, 16, 40), (1028, 32, 70), (1024, 32, 70), (1020, 32, 70), (2100, 20, 200), (600, 20, 300),
        (512, 32, 300),
        // Transposed and packed for at most two column panels, in tall blocks of shallow depth: over three depth
        // blocks with a half-width panel and a 4-row edge (33-64 float columns from 4 KiB rows); then 1030 rows, read
        // in place but for a last panel of 6 (Vector512) or 4 (Vector256) rows, which is packed; in float and double.
        (1028, 48, 250), (1030, 20, 250),
        // An untransposed op(A) read in place at any width from a depth of 128: over three depth blocks with a 4-row
        // edge and a partial column tile, with split rows, and just below and at the depth bound.
        (132, 200, 600), (256, 256, 256), (36, 100, 127), (36, 100, 128),
    ];

    public static TheoryData<int, int, int, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, int, int, bool, bool, bool>();
        foreach ((int m, int n, int k) in s_shapes)
        {
            for (int flags = 0; flags < 8; flags++)
            {
                data.Add(m, n, k, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multiply_Float_MatchesReference(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        Check<float>(m, n, k, transA, transB, accumulate, padded: false);
        Check<float>(m, n, k, transA, transB, accumulate, padded: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multiply_Double_MatchesReference(int m, int n, int k, bool transA, bool transB, bool accumulate)
    {
        Check<double>(m, n, k, transA, transB, accumulate, padded: false);
        Check<double>(m, n, k, transA, transB, accumulate, padded: true);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Multiply_WithZeroDepth_ClearsOrKeepsC(bool transA, bool transB)
    {
        const int m = 7, n = 9, ldc = 11;
        double[] c = new double[((m - 1) * ldc) + n];
        Array.Fill(c, 3.5);
        Gemm.Multiply<double>(transA, transB, m, n, 0, [], transA ? m : 0, [], transB ? 0 : n, c, ldc, accumulate: true);
        Assert.All(c, v => Assert.Equal(3.5, v));

        Gemm.Multiply<double>(transA, transB, m, n, 0, [], transA ? m : 0, [], transB ? 0 : n, c, ldc, accumulate: false);
        for (int i = 0; i < c.Length; i++)
        {
            bool inside = i % ldc < n;
            Assert.Equal(inside ? 0.0 : 3.5, c[i]);
        }
    }

    [Fact]
    public void Multiply_WithEmptyOutput_DoesNothing()
    {
        float[] a = [1, 2, 3];
        Gemm.Multiply<float>(false, false, 0, 4, 3, [], 3, new float[12], 4, [], 4, accumulate: false);
        Gemm.Multiply<float>(false, false, 1, 0, 3, a, 3, new float[0], 0, [], 0, accumulate: false);
    }

    [Fact]
    public void Multiply_InvalidArguments_Throw()
    {
        float[] a = new float[6], b = new float[12], c = new float[8];

        AssertThrows("m", () => Gemm.Multiply<float>(false, false, -1, 4, 3, a, 3, b, 4, c, 4, false));
        AssertThrows("n", () => Gemm.Multiply<float>(false, false, 2, -1, 3, a, 3, b, 4, c, 4, false));
        AssertThrows("k", () => Gemm.Multiply<float>(false, false, 2, 4, -1, a, 3, b, 4, c, 4, false));
        AssertThrows("lda", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 2, b, 4, c, 4, false));
        AssertThrows("lda", () => Gemm.Multiply<float>(true, false, 2, 4, 3, a, 1, b, 4, c, 4, false));
        AssertThrows("ldb", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 3, b, 3, c, 4, false));
        AssertThrows("ldb", () => Gemm.Multiply<float>(false, true, 2, 4, 3, a, 3, b, 2, c, 4, false));
        AssertThrows("ldc", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 3, b, 4, c, 3, false));
        AssertThrows("a", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a.AsSpan(1), 3, b, 4, c, 4, false));
        AssertThrows("a", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 4, b, 4, c, 4, false));
        AssertThrows("b", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 3, b.AsSpan(1), 4, c, 4, false));
        AssertThrows("b", () => Gemm.Multiply<float>(false, true, 2, 4, 3, a, 3, b, 4, c, 4, false));
        AssertThrows("c", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 3, b, 4, c.AsSpan(1), 4, false));
        AssertThrows("c", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 3, b, 4, c, 5, false));

        float[] shared = new float[32];
        AssertThrows("c", () => Gemm.Multiply<float>(false, false, 2, 4, 3, shared, 3, b, 4, shared.AsSpan(4), 4, false));
        AssertThrows("c", () => Gemm.Multiply<float>(false, false, 2, 4, 3, a, 3, shared, 4, shared.AsSpan(10), 4, false));

        static void AssertThrows(string parameter, Action action)
        {
            ArgumentException e = Assert.ThrowsAny<ArgumentException>(action);
            Assert.Equal(parameter, e.ParamName);
        }
    }

    [Fact]
    public void Multiply_UnsupportedElementType_Throws()
    {
        Half[] a = new Half[4], b = new Half[4], c = new Half[4];
        NotSupportedException e = Assert.Throws<NotSupportedException>(
            () => Gemm.Multiply<Half>(false, false, 2, 2, 2, a, 2, b, 2, c, 2, false));
        Assert.Contains("Half", e.Message, StringComparison.Ordinal);
    }

    // Runs one product against a naive double-precision reference. With `padded`, every leading dimension exceeds
    // its row length, the padding holds NaN (inputs) or a sentinel (output), and the spans start one element in.
    internal static void Check<T>(int m, int n, int k, bool transA, bool transB, bool accumulate, bool padded)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pad = padded ? 3 : 0;
        int offset = padded ? 1 : 0;
        var random = new Random(HashCode.Combine(m, n, k, transA, transB, accumulate, padded));

        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        T[] a = MakeMatrix<T>(random, aRows, aCols, lda, offset, T.NaN);
        T[] b = MakeMatrix<T>(random, bRows, bCols, ldb, offset, T.NaN);
        T sentinel = T.CreateTruncating(-777.25);
        T[] c = MakeMatrix<T>(random, m, n, ldc, offset, sentinel);
        T[] original = (T[])c.Clone();

        Gemm.Multiply<T>(
            transA, transB, m, n, k, a.AsSpan(offset), lda, b.AsSpan(offset), ldb, c.AsSpan(offset), ldc, accumulate);

        // The worst-case rounding error of a k-term dot product is about k·u·Σ|a·b| (u = unit roundoff).
        double unit = typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        double tolerance = Math.Max(2 * (k + 2) * unit, typeof(T) == typeof(float) ? 1e-6 : 1e-13);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateTruncating(a[offset + (transA ? (p * lda) + i : (i * lda) + p)]);
                    double y = double.CreateTruncating(b[offset + (transB ? (j * ldb) + p : (p * ldb) + j)]);
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }

                int index = offset + (i * ldc) + j;
                double before = double.CreateTruncating(original[index]);
                double expected = accumulate ? before + sum : sum;
                if (accumulate)
                {
                    magnitude += Math.Abs(before);
                }

                double actual = double.CreateTruncating(c[index]);
                Assert.True(
                    Math.Abs(actual - expected) <= (tolerance * magnitude) + 1e-30,
                    $"{typeof(T).Name} {m}x{n}x{k} tA={transA} tB={transB} acc={accumulate} padded={padded}: " +
                    $"C[{i},{j}] = {actual}, expected {expected} (|Σab| bound {magnitude}).");
            }
        }

        for (int index = 0; index < c.Length; index++)
        {
            int local = index - offset;
            bool inside = local >= 0 && local / ldc < m && local % ldc < n;
            if (!inside)
            {
                Assert.True(
                    c[index] == original[index],
                    $"{typeof(T).Name} {m}x{n}x{k}: element {index} outside C was written.");
            }
        }
    }

    // An untransposed op(A) of depth ≥ 128 is read in place on Vector512 hardware; the same op(A) stored transposed,
    // under a C wider than two column panels, is packed. Both paths sum the same products in the same order, so they
    // must agree to the last bit (on other hardware both are packed, and agree as well).
    [Theory]
    [InlineData(256, 256, 256)]
    [InlineData(1024, 256, 1024)]
    [InlineData(132, 200, 600)]
    [InlineData(64, 256, 128)]
    public void Multiply_AInPlace_EqualsPackedTransposedCopyBitForBit(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        var a = MakeMatrix(random, m, k, k, 0, 0f);
        var aTransposed = new float[k * m];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                aTransposed[(p * m) + i] = a[(i * k) + p];
            }
        }

        var b = MakeMatrix(random, k, n, n, 0, 0f);
        var inPlace = new float[m * n];
        var packed = new float[m * n];
        Gemm.Multiply<float>(false, false, m, n, k, a, k, b, n, inPlace, n, false);
        Gemm.Multiply<float>(true, false, m, n, k, aTransposed, m, b, n, packed, n, false);
        for (int i = 0; i < inPlace.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(inPlace[i]) == BitConverter.SingleToInt32Bits(packed[i]),
                $"{m}x{n}x{k}: element {i} is {inPlace[i]:R} read in place and {packed[i]:R} packed.");
        }
    }

    // A rows×cols matrix at stride ld, starting `offset` elements into an array exactly as long as needed,
    // with values in [-1, 1) and `fill` everywhere outside the matrix.
    private static T[] MakeMatrix<T>(Random random, int rows, int cols, int ld, int offset, T fill)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = rows == 0 || cols == 0 ? 0 : ((rows - 1) * ld) + cols;
        T[] data = new T[offset + length];
        Array.Fill(data, fill);
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < cols; col++)
            {
                data[offset + (r * ld) + col] = T.CreateTruncating((random.NextDouble() * 2) - 1);
            }
        }

        return data;
    }
}

using System;

namespace NGGen.Tests.Modeling;

/// <summary><see cref="AlignedMemory"/>: the first element on a 64-byte line, the requested length, zeroed, and a clear
/// error for element sizes no offset can line up.</summary>
public sealed class AlignedMemoryTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(4096)]
    [InlineData(100_003)]
    public unsafe void Allocate_FloatAndDouble_StartOnALineWithTheLengthAskedZeroed(int length)
    {
        // Many allocations, so the GC's own placement takes several of the eight possible offsets.
        for (int i = 0; i < 32; i++)
        {
            Memory<float> floats = AlignedMemory.Allocate<float>(length);
            Memory<double> doubles = AlignedMemory.Allocate<double>(length);
            Assert.Equal(length, floats.Length);
            Assert.Equal(length, doubles.Length);
            fixed (float* f = floats.Span)
            fixed (double* d = doubles.Span)
            {
                if (length > 0)
                {
                    Assert.Equal(0, (nint)f % AlignedMemory.Alignment);
                    Assert.Equal(0, (nint)d % AlignedMemory.Alignment);
                }
            }

            Assert.True(floats.Span.IndexOfAnyExcept(0f) < 0);
            Assert.True(doubles.Span.IndexOfAnyExcept(0d) < 0);
        }
    }

    [Fact]
    public void Allocate_SixteenByteElements_ThrowsNamingTheSize()
    {
        var error = Assert.Throws<NotSupportedException>(() => AlignedMemory.Allocate<decimal>(4));
        Assert.Contains("16 bytes", error.Message);
    }

    [Fact]
    public void Allocate_NegativeLength_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => AlignedMemory.Allocate<float>(-1));
}

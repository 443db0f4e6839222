namespace SmartShop.Core.Recommendations.Als;

/// <summary>
/// Keeps the k best (item, score) pairs of a stream in a min-heap. Candidates arrive in increasing item order,
/// so only a strictly larger score displaces the current minimum: ties keep the lower item index.
/// </summary>
internal struct TopKHeap
{
    private readonly int[] _items;
    private readonly float[] _scores;
    private int _count;

    public TopKHeap(int capacity)
    {
        _items = new int[capacity];
        _scores = new float[capacity];
    }

    public readonly bool Accepts(float score) =>
        _items.Length > 0 && (_count < _items.Length || score > _scores[0]);

    public void Add(int item, float score)
    {
        if (_count < _items.Length)
        {
            var i = _count++;
            _items[i] = item;
            _scores[i] = score;
            SiftUp(i);
        }
        else
        {
            _items[0] = item;
            _scores[0] = score;
            SiftDown(0);
        }
    }

    public readonly ScoredItem[] ToSortedArray()
    {
        var result = new ScoredItem[_count];
        for (var i = 0; i < _count; i++)
        {
            result[i] = new ScoredItem(_items[i], _scores[i]);
        }

        Array.Sort(result, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item));
        return result;
    }

    // Heap order: the worst candidate (lowest score; among equals the highest item index) at the root.
    private readonly bool Worse(int a, int b) =>
        _scores[a] < _scores[b] || (_scores[a] == _scores[b] && _items[a] > _items[b]);

    private readonly void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Worse(i, parent))
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private readonly void SiftDown(int i)
    {
        while (true)
        {
            int left = (2 * i) + 1, right = left + 1, worst = i;
            if (left < _count && Worse(left, worst))
            {
                worst = left;
            }

            if (right < _count && Worse(right, worst))
            {
                worst = right;
            }

            if (worst == i)
            {
                return;
            }

            Swap(i, worst);
            i = worst;
        }
    }

    private readonly void Swap(int a, int b)
    {
        (_items[a], _items[b]) = (_items[b], _items[a]);
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
    }
}

using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests.Contracts;

// The commerce contracts (data.update, a turn's writes, cards and payments) joined by the in-memory and LiteDB stores.

public sealed class InMemoryBotDataUpdates : BotDataUpdateContract
{
    private readonly InMemoryBotDataStore _memory = new();

    protected override IBotDataStore Open() => _memory;
}

public sealed class LiteDbBotDataUpdates : BotDataUpdateContract
{
    private readonly LiteDbTestFile _file = new();

    protected override IBotDataStore Open() => _file.Open().BotData;

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

public sealed class InMemoryPayments : PaymentStoreContract
{
    private readonly InMemoryPaymentStore _memory = new();

    protected override IPaymentStore Open() => _memory;
}

public sealed class LiteDbPayments : PaymentStoreContract
{
    private readonly LiteDbTestFile _file = new();

    protected override IPaymentStore Open() => _file.Open().Payments;

    protected override void Close() => _file.Close();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _file.Dispose();
    }
}

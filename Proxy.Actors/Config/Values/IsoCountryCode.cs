using System.Collections.Frozen;

namespace Proxy.Actors.Config.Values;

/// <summary>
/// ISO 3166-1 country codes as g3 reads them (lib/g3-geoip-types): alpha-2 or alpha-3, any case, held
/// as alpha-2 so a rule written <c>USA</c> matches a locate answer <c>US</c> and the reverse. The table is
/// ISO 3166-1 (Debian's iso-codes) plus the three retired or user-assigned codes g3 also knows: AN, CS, XK.
/// </summary>
internal static class IsoCountryCode
{
    // Each word: alpha-2 then alpha-3.
    private const string Table =
        "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM ANANT AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA " +
        "AZAZE BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA " +
        "BSBHS BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR " +
        "CNCHN COCOL CRCRI CSSCG CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA " +
        "ECECU EEEST EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD " +
        "GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY " +
        "HKHKG HMHMD HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA " +
        "JEJEY JMJAM JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO " +
        "LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG " +
        "MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS " +
        "MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER " +
        "PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB " +
        "RURUS RWRWA SASAU SBSLB SCSYC SDSDN SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM " +
        "SRSUR SSSSD STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM " +
        "TNTUN TOTON TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN " +
        "VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM XKXKX YEYEM YTMYT ZAZAF ZMZMB ZWZWE";

    private static readonly FrozenDictionary<string, string> ToAlpha2Map = Build();

    /// <summary>The alpha-2 code of <paramref name="code"/> (alpha-2 or alpha-3, any case), or null when ISO has no such country.</summary>
    public static string? ToAlpha2(string code) =>
        code.Length is 2 or 3 && ToAlpha2Map.TryGetValue(code.ToUpperInvariant(), out var alpha2) ? alpha2 : null;

    private static FrozenDictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in Table.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            map[word[..2]] = word[..2];
            map[word[2..]] = word[..2];
        }
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

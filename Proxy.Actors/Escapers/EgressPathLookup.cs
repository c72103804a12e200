using Proxy.Actors.Logging;

namespace Proxy.Actors.Escapers;

/// <summary>
/// g3's lookup order for a task's egress path: the user's egress_path_id_map / egress_path_value_map
/// first, then what the server chose (username_params, egress_path_selection_header). A user's maps
/// hold only string ids and JSON values, so number ids and upstreams come from the server alone.
/// </summary>
public static class EgressPathLookup
{
    /// <summary>route_select, direct_float and proxy_float: a next escaper, bind ip or peer by its id.</summary>
    public static string? EgressStringId(this TaskNotes notes, string escaper) =>
        notes.UserEgressPath?.SelectStringId(escaper) ?? notes.EgressPath?.SelectStringId(escaper);

    /// <summary>direct_float and proxy_float: a bind ip or peer given whole, as JSON text.</summary>
    public static string? EgressJsonValue(this TaskNotes notes, string escaper) =>
        notes.UserEgressPath?.SelectJsonValue(escaper) ?? notes.EgressPath?.SelectJsonValue(escaper);
}

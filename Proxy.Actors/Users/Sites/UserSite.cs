using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Escapers;

namespace Proxy.Actors.Users.Sites;

/// <summary>
/// One of a user's <c>explicit_sites</c> at run time (g3's UserSite): its settings, which override
/// the user's for tasks whose target is in the site, and what such a task carries to the escaper.
/// </summary>
internal sealed class UserSite(UserSiteConfig config, UserEscape? escape)
{
    public UserSiteConfig Config { get; } = config;
    public string Id => Config.Id;

    /// <summary>The escaper overrides of a task to this site: the site's resolve_strategy over the user's; null when neither sets any.</summary>
    public UserEscape? Escape { get; } = escape;
}

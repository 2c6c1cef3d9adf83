package dev.pitwall.server.console;

import java.util.List;

/** What every console page's layout needs: its title, the navigation and asset versions. */
public record ConsoleView(String title, List<NavItem> navigation, String version, String uplotVersion) {

    /** One entry of the top navigation; {@code active} marks the page being shown. */
    public record NavItem(String path, String label, boolean active) {
    }
}

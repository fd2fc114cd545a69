"""`regional-llm policy check`: load and cross-check every region policy and build manifest."""

from __future__ import annotations

import argparse

from inference.cli.common import Commands, add_location_flags, checked_catalog, settings_from


def cmd_policy_check(args: argparse.Namespace) -> int:
    """Load and cross-check every region policy and build manifest."""
    settings = settings_from(args)
    catalog = checked_catalog(settings)
    for loaded in catalog.regions.values():
        policy = loaded.policy
        print(
            f"ok  {loaded.shown}: region {policy.id} ({policy.jurisdiction}), "
            f"{len(policy.accepted_origins)} accepted origins, builds: {', '.join(policy.builds)}, "
            f"audit text {policy.audit.text}, origin evidence {policy.privacy.origin_evidence}"
        )
        if policy.audit.text == "anonymized":
            print(
                f"warn {loaded.shown}: audit.text: anonymized stores each prompt as the model saw it: a "
                "personal value the detector misses is stored in the trail in clear (hashed keeps none)"
            )
    adapters = f" ({len(catalog.adapters)} of them LoRA adapters)" if catalog.adapters else ""
    print(f"{len(catalog.regions)} regions and {len(catalog.pinned())} builds{adapters} are consistent")
    return 0


def register(commands: Commands) -> None:
    """Add `policy check`."""
    policy = commands.add_parser("policy", help="check region policies", description="Region policy tools.")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="COMMAND", required=True)
    check = policy_commands.add_parser(
        "check",
        help="validate and cross-check every region policy and build manifest",
        description="Load every region policy and build manifest and cross-check them; print one line "
        "per problem (file, field, value) and exit 2 if there is any.",
    )
    add_location_flags(check)
    check.set_defaults(handler=cmd_policy_check)

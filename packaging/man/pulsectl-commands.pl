#!/usr/bin/perl
# Writes the COMMANDS section of pulsectl.1 as a help2man include file, from
# `pulsectl <command> --help` of every command. help2man reads only the
# top-level --help, which lists the commands but none of their options; this
# keeps those in the man page too, and, like the rest of it, taken from the
# binary so it cannot drift from what pulsectl accepts.
#
# Usage: pulsectl-commands.pl PULSECTL OUTPUT.h2m
# (Perl because help2man is Perl: no new build dependency.)
use strict;
use warnings;

die "usage: $0 PULSECTL OUTPUT.h2m\n" unless @ARGV == 2;
my ($pulsectl, $output) = @ARGV;

sub help_of {
    my @command = @_;
    open(my $fh, '-|', $pulsectl, @command, '--help') or die "$0: cannot run $pulsectl: $!\n";
    my @lines = <$fh>;
    close($fh) or die "$0: '$pulsectl @command --help' failed\n";
    chomp @lines;
    return @lines;
}

# CLI11's layout: description, "Usage: ...", then blocks headed "Positionals:",
# "Options:" or "Subcommands:" with entries indented by two spaces (a
# continuation or a description pushed to the next line is indented further);
# the first other unindented line starts the footer, which every command repeats.
sub parse_help {
    my @lines = @_;
    my %help = (description => '', usage => '', blocks => []);
    my $block;
    for my $line (@lines) {
        if ($line =~ /^Usage: (.*)$/) {
            $help{usage} = $1;
        } elsif (!$help{usage}) {
            $help{description} .= ($help{description} ? ' ' : '') . $line if $line ne '';
        } elsif ($line =~ /^(Positionals|Options|Subcommands):$/) {
            $block = {name => $1, entries => []};
            push @{$help{blocks}}, $block;
        } elsif ($line eq '') {
            next;
        } elsif ($line =~ /^\S/) {
            last;
        } elsif ($block && $line =~ /^ {2}(\S.*?)(?: {2,}(\S.*))?$/ && $line !~ /^ {6,}/) {
            push @{$block->{entries}}, [$1, $2 // ''];
        } elsif ($block && @{$block->{entries}} && $line =~ /^\s+(\S.*)$/) {
            my $entry = $block->{entries}[-1];
            $entry->[1] .= ($entry->[1] ? ' ' : '') . $1;
        }
    }
    die "$0: no 'Usage:' line in the help of $pulsectl\n" unless $help{usage};
    return \%help;
}

sub roff {
    my ($text) = @_;
    $text =~ s/\\/\\e/g;
    $text =~ s/-/\\-/g;
    $text =~ s/^([.'])/\\&$1/;
    return $text;
}

my @sections;

sub visit {
    my @command = @_;
    my $help = parse_help(help_of(@command));
    my ($subcommands) = grep { $_->{name} eq 'Subcommands' } @{$help->{blocks}};
    if ($subcommands) {
        visit(@command, $_->[0]) for @{$subcommands->{entries}};
        return;
    }
    my $text = '.SS "' . roff($help->{usage}) . "\"\n" . roff($help->{description}) . "\n";
    for my $block (@{$help->{blocks}}) {
        for my $entry (@{$block->{entries}}) {
            my ($name, $what) = @$entry;
            next if $name =~ /^-h,--help\b/;
            my ($word, $rest) = $name =~ /^(\S+)(.*)$/;
            my $font = $block->{name} eq 'Positionals' ? 'I' : 'B';
            $text .= ".TP\n\\f$font" . roff($word) . '\fR' . roff($rest) . "\n" . roff($what) . "\n";
        }
    }
    push @sections, $text;
}

my $top = parse_help(help_of());
my ($commands) = grep { $_->{name} eq 'Subcommands' } @{$top->{blocks}};
die "$0: '$pulsectl --help' lists no commands\n" unless $commands;
visit($_->[0]) for @{$commands->{entries}};

open(my $out, '>', $output) or die "$0: cannot write $output: $!\n";
print $out "[COMMANDS]\n",
    "Every command takes the global options above, and prints its own with\n",
    "\\fBpulsectl\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR.\n",
    join('', @sections);
close($out) or die "$0: cannot write $output: $!\n";

/**
 * Common given names across many languages, so a patient or relative named in a
 * clinical note without an introducing word ("seen with Maria Lopez today") is
 * still found. A name counts only when a capitalised family name follows it.
 * Names that are also ordinary words (Will, Grace, May, Faith…) are left out.
 */
const NAMES = `
Aaliyah Aaron Abdul Abigail Adam Adrian Ahmed Aisha Alan Albert Alejandro Alex Alexander
Alexandra Ali Alice Alicia Alison Amanda Amelia Amina Amir Amy Ana Andrea Andrew Angela
Anita Ann Anna Anne Anthony Antonio Arjun Arthur Ashley Barbara Beatriz Benjamin Bernard
Betty Brandon Brenda Brian Bruce Carl Carlos Carmen Carol Caroline Catherine Charles
Charlotte Chen Chidi Chloe Christina Christine Christopher Claire Claudia Cynthia Daniel
Daniela David Deborah Dennis Diana Diego Dmitri Dolores Donald Donna Doris Dorothy Douglas
Edward Elena Elizabeth Ellen Emily Emma Eric Ethan Eugene Evelyn Fatima Fernando Fiona
Frances Francisco Gabriel Gary George Gerald Gloria Gregory Hannah Harold Harry Hassan
Heather Helen Henry Hiroshi Ibrahim Ingrid Irene Isabel Isabella Ivan Jack Jacob James
Jane Janet Jason Javier Jean Jennifer Jeremy Jerry Jessica Joan Joe John Jonathan Jorge
Jose Joseph Joshua Juan Judith Julia Julie Justin Karen Katherine Kathleen Keith Kenji
Kenneth Kevin Kimberly Kwame Larry Laura Lauren Leonard Liam Linda Lisa Lucas Lucia Luis
Lydia Manuel Margaret Maria Marie Marilyn Mario Martha Mary Matthew Megan Mei Melissa
Michael Michelle Miguel Min Mohammed Muhammad Nadia Nancy Natalia Nathan Nicholas Nicole
Noah Nora Olga Olivia Omar Oscar Pablo Pamela Patricia Patrick Paul Pedro Peter Philip
Priya Rachel Rahul Ralph Raymond Rebecca Richard Robert Roberto Rosa Ruth Ryan Samantha
Samuel Sandra Sara Sarah Scott Sean Sergei Sharon Shirley Sofia Sophia Stephanie Stephen
Steven Susan Tanya Teresa Theresa Thomas Timothy Tyler Valentina Victor Victoria Vincent
Virginia Walter Wei Wendy William Xin Yasmin Yuki Yusuf Zainab Zhang`;

/** The given names as a regex alternation. */
export const GIVEN_NAMES = NAMES.trim().split(/\s+/).join("|");
